package io.pgpilot.model;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * Turns manifest text (YAML or JSON) into a {@link ClusterManifest}. Strict on purpose: unknown
 * fields, duplicate keys, trailing documents and wrong types are errors naming the field.
 */
public final class ManifestParser {

    /** Far above any real manifest; keeps a hostile body from costing memory. */
    public static final int MAX_MANIFEST_BYTES = 64 * 1024;

    /** Far deeper than any manifest (about 6 levels); a hostile document stops here. */
    public static final int MAX_DEPTH = 32;

    private static final tools.jackson.core.StreamReadConstraints CONSTRAINTS = tools.jackson.core.StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH).maxStringLength(MAX_MANIFEST_BYTES).maxNameLength(1024).maxDocumentLength(MAX_MANIFEST_BYTES)
            .build();

    private static final ObjectMapper JSON = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
                    .streamReadConstraints(CONSTRAINTS).build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder(tools.jackson.dataformat.yaml.YAMLFactory.builder()
                    .streamReadConstraints(CONSTRAINTS).build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ManifestParser() {
    }

    public static ClusterManifest parse(String text) {
        return parse(text, ClusterManifest.class);
    }

    /** The same strict parsing for another manifest kind (e.g. {@link PoolerManifest}). */
    public static <T> T parse(String text, Class<T> type) {
        if (text == null || text.isBlank()) {
            throw new ManifestException("body", "the manifest is empty");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_MANIFEST_BYTES) {
            throw new ManifestException("body", "the manifest is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        boolean json = text.stripLeading().startsWith("{");
        if (!json) {
            refuseAliasesAndDepth(text);
        }
        try {
            T manifest = (json ? JSON : YAML).readValue(text, type);
            if (manifest == null) {
                throw new ManifestException("body", "the manifest is empty");
            }
            return manifest;
        } catch (UnrecognizedPropertyException e) {
            throw new ManifestException(fieldPath(e), "unknown field '" + e.getPropertyName() + "'");
        } catch (InvalidFormatException e) {
            throw new ManifestException(fieldPath(e), "invalid value '" + e.getValue() + "'");
        } catch (MismatchedInputException e) {
            throw new ManifestException(fieldPath(e), "wrong type: " + firstLine(e.getOriginalMessage()));
        } catch (JacksonException e) {
            throw new ManifestException(fieldPath(e).isEmpty() ? "body" : fieldPath(e),
                    "not valid " + (json ? "JSON" : "YAML") + ": " + firstLine(e.getOriginalMessage()));
        }
    }

    /**
     * YAML anchors and aliases are refused outright (no "billion laughs", no value shared between
     * fields), and so is nesting deeper than {@link #MAX_DEPTH}: checked on the event stream, which
     * never expands anything.
     */
    private static void refuseAliasesAndDepth(String text) {
        var settings = org.snakeyaml.engine.v2.api.LoadSettings.builder().setCodePointLimit(MAX_MANIFEST_BYTES)
                .setMaxAliasesForCollections(0).build();
        int depth = 0;
        try {
            for (var event : new org.snakeyaml.engine.v2.api.lowlevel.Parse(settings).parseString(text)) {
                String where = event.getStartMark().map(m -> " (line " + (m.getLine() + 1) + ")").orElse("");
                if (event.getEventId() == org.snakeyaml.engine.v2.events.Event.ID.Alias
                        || (event instanceof org.snakeyaml.engine.v2.events.NodeEvent node && node.getAnchor().isPresent())) {
                    throw new ManifestException("body", "YAML anchors and aliases are not accepted in a manifest" + where);
                }
                switch (event.getEventId()) {
                    case MappingStart, SequenceStart -> {
                        if (++depth > MAX_DEPTH) {
                            throw new ManifestException("body", "the manifest is nested deeper than " + MAX_DEPTH + " levels" + where);
                        }
                    }
                    case MappingEnd, SequenceEnd -> depth--;
                    default -> {
                    }
                }
            }
        } catch (org.snakeyaml.engine.v2.exceptions.YamlEngineException e) {
            throw new ManifestException("body", "not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    private static String fieldPath(JacksonException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        return path.isEmpty() ? "body" : path;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
