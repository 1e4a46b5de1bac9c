/**
 * The instance manager: the code that runs beside one PostgreSQL instance, on that instance's host.
 * Split by concern the way CloudNativePG's instance manager is; the provisioner reaches it through a
 * backend seam, never by calling PostgreSQL tools itself.
 */
package io.pgpilot.instance;
