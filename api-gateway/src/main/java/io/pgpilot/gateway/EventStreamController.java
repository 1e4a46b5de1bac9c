package io.pgpilot.gateway;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.pgpilot.support.PlatformProperties;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/v1/events}: the CloudEvents of {@code pgpilot.cluster.events} as Server-Sent
 * Events, optionally for one cluster and one type (or family). Each subscriber reads Kafka with
 * its own consumer (manual assignment, no group), closed when the client goes away.
 */
@RestController
@RequestMapping("/api/v1/events")
class EventStreamController {

    private static final Logger log = LoggerFactory.getLogger(EventStreamController.class);

    private final PlatformProperties platform;
    private final EventStreamProperties settings;
    private final AtomicInteger subscribers = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final Set<EventSubscription> active = ConcurrentHashMap.newKeySet();

    EventStreamController(PlatformProperties platform, EventStreamProperties settings) {
        this.platform = platform;
        this.settings = settings;
    }

    @ApiResponse(responseCode = "200", description = "Server-Sent Events, one CloudEvent each; resumable with Last-Event-ID")
    @GetMapping(produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter subscribe(@RequestParam(required = false) String cluster, @RequestParam(required = false) String type,
                         @RequestParam(required = false) String from,
                         @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        EventFilter filter = EventFilter.of(cluster, type);
        boolean fromBeginning;
        if (from == null || from.equals("end")) {
            fromBeginning = false;
        } else if (from.equals("beginning")) {
            fromBeginning = true;
        } else {
            throw new ApiException(HttpStatus.BAD_REQUEST, "from: must be 'beginning' or 'end'");
        }
        Optional<StreamPosition> resume;
        try {
            resume = StreamPosition.parse(lastEventId);
        } catch (StreamPosition.InvalidPosition e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        if (subscribers.incrementAndGet() > settings.maxSubscribers()) {
            subscribers.decrementAndGet();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                    "too many event subscribers (at most " + settings.maxSubscribers() + "); retry later");
        }
        try {
            SseEmitter emitter = new SseEmitter(settings.streamTimeout().toMillis());
            String name = "gateway-events-" + sequence.incrementAndGet();
            EventSubscription subscription = new EventSubscription(name, platform.kafkaBootstrapServers(), filter,
                    resume, fromBeginning, settings.heartbeat(), emitter, this::ended);
            active.add(subscription);
            log.info("event subscriber {} (cluster={}, type={}, {}) opened; {} active", name,
                    cluster == null ? "*" : cluster, type == null ? "*" : type,
                    resume.isPresent() ? "resuming" : fromBeginning ? "from the beginning" : "new events only", subscribers.get());
            subscription.start();
            return emitter;
        } catch (RuntimeException e) {
            subscribers.decrementAndGet();
            throw e;
        }
    }

    private void ended(EventSubscription subscription) {
        if (active.remove(subscription)) {
            int left = subscribers.decrementAndGet();
            log.info("event subscriber {} closed; {} active", subscription.name(), left);
        }
    }

    /** Subscribers currently streaming (each holds one Kafka consumer). */
    int activeSubscribers() {
        return active.size();
    }

    @PreDestroy
    void closeAll() {
        active.forEach(EventSubscription::close);
    }
}
