package io.pgpilot.gateway.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessPolicyTest {

    static Object need(String method, String path) {
        return switch (AccessPolicy.required(method, path)) {
            case AccessPolicy.Access.Public() -> "public";
            case AccessPolicy.Access.Requires(Role role) -> role;
        };
    }

    @Test
    void healthIsTheOnlyPublicRoute() {
        assertThat(need("GET", "/actuator/health")).isEqualTo("public");
        assertThat(need("GET", "/actuator/health/liveness")).isEqualTo("public");
        assertThat(need("POST", "/actuator/health")).isEqualTo(Role.ADMIN);
        assertThat(need("GET", "/actuator/healthz")).isEqualTo(Role.VIEWER);
        assertThat(need("GET", "/actuator/prometheus")).isEqualTo(Role.VIEWER);
        assertThat(need("GET", "/")).isEqualTo(Role.VIEWER);
    }

    @Test
    void readsNeedViewer() {
        assertThat(need("GET", "/api/v1/clusters")).isEqualTo(Role.VIEWER);
        assertThat(need("GET", "/api/v1/clusters/pc/backups/20261126T053743")).isEqualTo(Role.VIEWER);
        assertThat(need("get", "/api/v1/events")).isEqualTo(Role.VIEWER);
        assertThat(need("HEAD", "/api/v1/clusters/pc")).isEqualTo(Role.VIEWER);
        // the OpenAPI description (springdoc) is a read like any other, never public
        assertThat(need("GET", "/v3/api-docs")).isEqualTo(Role.VIEWER);
        assertThat(need("GET", "/v3/api-docs.yaml")).isEqualTo(Role.VIEWER);
        assertThat(need("POST", "/v3/api-docs")).isEqualTo(Role.ADMIN);
    }

    @Test
    void dayToDayOperationsNeedOperator() {
        assertThat(need("POST", "/api/v1/clusters/pc/switchover")).isEqualTo(Role.OPERATOR);
        assertThat(need("POST", "/api/v1/clusters/pc/instances/pc-2/promote")).isEqualTo(Role.OPERATOR);
        assertThat(need("POST", "/api/v1/clusters/pc/instances/pc-2/fence")).isEqualTo(Role.OPERATOR);
        assertThat(need("POST", "/api/v1/clusters/pc/instances/pc-2/unfence")).isEqualTo(Role.OPERATOR);
        assertThat(need("POST", "/api/v1/clusters/pc/backups")).isEqualTo(Role.OPERATOR);
        assertThat(need("POST", "/api/v1/clusters/pc/restart")).isEqualTo(Role.OPERATOR);
    }

    @Test
    void everythingElseThatChangesNeedsAdmin() {
        assertThat(need("POST", "/api/v1/clusters")).isEqualTo(Role.ADMIN);
        assertThat(need("PUT", "/api/v1/clusters/pc")).isEqualTo(Role.ADMIN);
        assertThat(need("DELETE", "/api/v1/clusters/pc")).isEqualTo(Role.ADMIN);
        assertThat(need("POST", "/api/v1/clusters/pc/restore")).isEqualTo(Role.ADMIN);
        // routes no rule names (added later): default deny
        assertThat(need("POST", "/api/v1/clusters/pc/hibernate")).isEqualTo(Role.ADMIN);
        assertThat(need("POST", "/api/v1/poolers")).isEqualTo(Role.ADMIN);
        assertThat(need("PATCH", "/api/v1/clusters/pc/switchover")).isEqualTo(Role.ADMIN);
        assertThat(need("POST", "/api/v1/clusters/pc/switchover/extra")).isEqualTo(Role.ADMIN);
        assertThat(need("POST", "/api/v1/clusters/pc/instances/a/b/fence")).isEqualTo(Role.ADMIN);
        assertThat(need("DELETE", "/api/v1/clusters/pc/backups")).isEqualTo(Role.ADMIN);
    }

    @Test
    void pathsThatCouldBeReadTwoWaysAreRefused() {
        assertThat(AccessPolicy.unsafePath("/api/v1/clusters/pc")).isEmpty();
        assertThat(AccessPolicy.unsafePath("/actuator/health;x=1")).isPresent();
        assertThat(AccessPolicy.unsafePath("/actuator/health/../../api/v1/clusters")).isPresent();
        assertThat(AccessPolicy.unsafePath("/api/v1/clusters/pc/./switchover")).isPresent();
        assertThat(AccessPolicy.unsafePath("/api/v1/clusters/pc/..")).isPresent();
        assertThat(AccessPolicy.unsafePath("/api/v1//clusters")).isPresent();
        assertThat(AccessPolicy.unsafePath("/api/v1/clusters%2Fpc")).isPresent();
        assertThat(AccessPolicy.unsafePath("/api/v1/clusters/%2e%2e")).isPresent();
        assertThat(AccessPolicy.unsafePath("/api\\v1")).isPresent();
        assertThat(AccessPolicy.unsafePath("relative")).isPresent();
    }

    @Test
    void clusterOfAPath() {
        assertThat(AccessPolicy.cluster("/api/v1/clusters/pc/switchover")).hasValue("pc");
        assertThat(AccessPolicy.cluster("/api/v1/clusters/pc")).hasValue("pc");
        assertThat(AccessPolicy.cluster("/api/v1/clusters")).isEmpty();
        assertThat(AccessPolicy.cluster("/api/v1/clusters/Not_A_Name")).isEmpty();
    }
}
