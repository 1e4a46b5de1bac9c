package io.pgpilot.cli;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;
import java.util.Map;

/** JSON in and out, YAML out; the gateway's answers are read as plain maps and lists. */
final class Json {

    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    static final ObjectMapper YAML = YAMLMapper.builder().build();

    private Json() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) {
        try {
            Object value = JSON.readValue(text, Object.class);
            if (value instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
        } catch (JacksonException e) {
            // below
        }
        throw new Exit.CliException(Exit.UNAVAILABLE, "the gateway answered something that is not a JSON object");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(String text) {
        try {
            Object value = JSON.readValue(text, Object.class);
            if (value instanceof List<?> list) {
                return (List<Map<String, Object>>) list;
            }
        } catch (JacksonException e) {
            // below
        }
        throw new Exit.CliException(Exit.UNAVAILABLE, "the gateway answered something that is not a JSON list");
    }

    static String write(Object value) {
        return JSON.writeValueAsString(value);
    }

    /** {@code -o json} or {@code -o yaml}. */
    static String format(Object value, String format) {
        return switch (format) {
            case "json" -> JSON.writeValueAsString(value) + "\n";
            case "yaml" -> YAML.writeValueAsString(value);
            default -> throw new Exit.CliException(Exit.USAGE, "-o: must be json or yaml, not '" + format + "'");
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static String str(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? null : String.valueOf(value);
    }
}
