package io.pgpilot.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the PostgreSQL server and its tools live (Debian's PostgreSQL 15 by default). */
public record PostgresBinaries(Path directory) {

    public static final Path DEBIAN_15 = Path.of("/usr/lib/postgresql/15/bin");

    public static PostgresBinaries detect() {
        String configured = System.getenv("PGPILOT_PG_BIN");
        Path dir = configured != null ? Path.of(configured) : DEBIAN_15;
        PostgresBinaries binaries = new PostgresBinaries(dir);
        binaries.require("postgres");
        return binaries;
    }

    public String tool(String name) {
        return require(name).toString();
    }

    private Path require(String name) {
        Path tool = directory.resolve(name);
        if (!Files.isExecutable(tool)) {
            throw new IllegalStateException(name + " not found in " + directory
                    + ": install PostgreSQL 15 (apt-get install postgresql-15) or set PGPILOT_PG_BIN");
        }
        return tool;
    }
}
