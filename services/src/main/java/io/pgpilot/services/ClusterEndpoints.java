package io.pgpilot.services;

/** What the renderer needs for one cluster: its routes and its ports. */
public record ClusterEndpoints(ClusterRoutes routes, EndpointPorts ports) {

    public String cluster() {
        return routes.cluster();
    }
}
