package io.pgpilot.instance.lifecycle;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What pg_controldata says of a stopped data directory: its timeline and last checkpoint. */
public final class ControlData {

    private final PostgresHost host;

    public ControlData(PostgresHost host) {
        this.host = host;
    }

    /** pg_controldata of a data directory as name -> value. */
    public Map<String, String> read(InstanceLayout layout) {
        try {
            String out = Commands.run(host.user(), List.of(host.tool("pg_controldata"), "-D", layout.pgdata().toString()),
                    Map.of("LC_ALL", "C"), layout.directory(), Duration.ofSeconds(30));
            Map<String, String> values = new TreeMap<>();
            for (String line : out.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
            return values;
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.REWIND, "pg_controldata of " + layout.instance() + " failed", e);
        }
    }

    /** The timeline a stopped data directory is on (a standby's minimum recovery timeline counts too). */
    public int timeline(InstanceLayout layout) {
        Map<String, String> control = read(layout);
        int checkpoint = parseInt(control.get("Latest checkpoint's TimeLineID"));
        int minRecovery = parseInt(control.get("Min recovery ending loc's timeline"));
        return Math.max(checkpoint, minRecovery);
    }

    /** The LSN of the latest checkpoint of a stopped data directory (a clean shutdown's last record). */
    public long latestCheckpointLsn(InstanceLayout layout) {
        return io.pgpilot.events.Lsn.parse(read(layout).get("Latest checkpoint location"));
    }

    private static int parseInt(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
