package io.pgpilot.gateway;

import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.Names;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** A manifest request body (YAML or JSON): media type checked, at most the manifest limit read whatever Content-Length claims. */
final class ManifestBody {

    private static final Set<String> MANIFEST_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml",
            "text/x-yaml", "application/json", "text/plain");

    private ManifestBody() {
    }

    static String read(HttpServletRequest request) throws IOException {
        String contentType = request.getContentType() == null ? "application/yaml"
                : MediaType.parseMediaType(request.getContentType()).getType() + "/"
                + MediaType.parseMediaType(request.getContentType()).getSubtype();
        if (!MANIFEST_TYPES.contains(contentType)) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send the manifest as application/yaml or application/json, not " + Names.printable(contentType));
        }
        if (request.getContentLengthLong() > ManifestParser.MAX_MANIFEST_BYTES) {
            throw new ApiException(HttpStatus.CONTENT_TOO_LARGE,
                    "the manifest is larger than " + ManifestParser.MAX_MANIFEST_BYTES + " bytes");
        }
        byte[] body = request.getInputStream().readNBytes(ManifestParser.MAX_MANIFEST_BYTES + 1);
        if (body.length > ManifestParser.MAX_MANIFEST_BYTES) {
            throw new ApiException(HttpStatus.CONTENT_TOO_LARGE,
                    "the manifest is larger than " + ManifestParser.MAX_MANIFEST_BYTES + " bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
    }
}
