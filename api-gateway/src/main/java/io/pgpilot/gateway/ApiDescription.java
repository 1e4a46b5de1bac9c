package io.pgpilot.gateway;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Map;

/**
 * The OpenAPI 3 description of the REST API, served at {@code /v3/api-docs} (JSON) and
 * {@code /v3/api-docs.yaml} (viewer token, like every GET). Controllers declare their success
 * status; the refusals every route shares (the {@code Error} body of {@link ApiErrors} and the
 * authentication filter) are added here so that no operation misses them.
 */
@Configuration
class ApiDescription {

    static final String ERROR_SCHEMA = "Error";

    @Bean
    OpenAPI pgpilotOpenApi() {
        return new OpenAPI()
                .info(new Info().title("pgpilot API").version("v1")
                        .description("Control plane for highly available PostgreSQL clusters (CloudNativePG-style manifests). "
                                + "Every route but GET /actuator/health needs a bearer token (roles viewer, operator, admin)."))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }

    /** Adds the shared refusals to every operation under /api/v1. */
    @Bean
    OpenApiCustomizer sharedRefusals() {
        return openApi -> {
            // added here: springdoc builds components.schemas from the controllers and drops any set before
            openApi.getComponents().addSchemas(ERROR_SCHEMA, errorSchema());
            openApi.getPaths().forEach((path, item) -> {
            if (!path.startsWith("/api/v1/")) {
                return;
            }
            item.readOperationsMap().forEach((method, operation) -> addRefusals(path, method, operation));
            });
        };
    }

    static void addRefusals(String path, PathItem.HttpMethod method, Operation operation) {
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        operation.setResponses(responses);
        // springdoc's inferred "200 OK" for a route that declares another success code is not a real answer
        boolean declaredSuccess = responses.keySet().stream().anyMatch(code -> code.startsWith("2") && !code.equals("200"));
        if (declaredSuccess && responses.get("200") != null && "OK".equals(responses.get("200").getDescription())) {
            responses.remove("200");
        }
        // a refusal a controller declares (413, 415, 502) has the shared body too
        responses.forEach((code, response) -> {
            if (!code.startsWith("2")) {
                response.setContent(errorResponse(response.getDescription()).getContent());
            }
        });
        refusal(responses, "401", "no or an unknown bearer token (WWW-Authenticate: Bearer realm=\"pgpilot\")");
        refusal(responses, "403", "the token's role may not do this (error=\"insufficient_scope\")");
        refusal(responses, "400", "invalid input; the error names the field");
        if (path.contains("{")) {
            refusal(responses, "404", "no such cluster, pooler, instance or backup");
        }
        if (method != PathItem.HttpMethod.GET) {
            refusal(responses, "409", "conflicts with the current state (exists already, no primary, no spec.backup, ...)");
            refusal(responses, "503", "the platform's event bus or the backup service is not available; nothing was changed");
        }
    }

    private static void refusal(ApiResponses responses, String code, String description) {
        if (responses.get(code) == null) {
            responses.addApiResponse(code, errorResponse(description));
        }
    }

    static ApiResponse errorResponse(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType("application/json",
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + ERROR_SCHEMA))));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema<?> errorSchema() {
        Schema violation = new ObjectSchema().properties(Map.of(
                "field", new StringSchema().description("the offending field, e.g. spec.storage.size"),
                "reason", new StringSchema()));
        return new ObjectSchema().description("Every refusal: {\"error\": ..., \"violations\": [{field, reason}]}")
                .addRequiredItem("error").addRequiredItem("violations")
                .addProperty("error", new StringSchema().description("what was refused and why, never a secret"))
                .addProperty("violations", new ArraySchema().items(violation));
    }
}
