package dev.mailroot.server.admin;

import com.sun.net.httpserver.HttpExchange;
import dev.mailroot.server.tracking.SearchQuery;
import dev.mailroot.server.tracking.TraceLookup;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /trace?q=&from=&to=&subject=&since=&until=} (see {@link SearchQuery#parse}): the
 * traces of the messages in the spool the query matches, as JSON lines; 400 with one line for a
 * malformed query. What {@code bin/mailroot trace} asks a running server.
 */
public final class TraceRoute implements AdminEndpoint.Route {
    private final TraceLookup lookup;
    private final Clock clock;

    public TraceRoute(TraceLookup lookup, Clock clock) {
        this.lookup = lookup;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange ex, Map<String, String> params) throws IOException {
        SearchQuery q;
        try {
            q = SearchQuery.parse(params, clock.instant());
        } catch (IllegalArgumentException e) {
            AdminEndpoint.reply(ex, 400, e.getMessage() + "\n");
            return;
        }
        List<String> lines = q.isEmpty() ? List.of() : lookup.lines(q, clock.instant());
        AdminEndpoint.reply(ex, 200, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
    }
}
