package dev.mailroot.filters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mailroot.testkit.FakeSinkContext;

import java.time.Clock;
import java.util.Map;

/** Filters made from a {@code conf/filters.yaml} text, as the service makes them. */
final class TestFilters {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TestFilters() {
    }

    @SuppressWarnings("unchecked")
    static Filters of(String yaml) {
        try {
            Object tree = YAML.readValue(yaml.isBlank() ? "{}" : yaml, Object.class);
            return new Filters(ConfigParser.parse(tree == null ? Map.of() : (Map<String, Object>) tree, "conf/filters.yaml"),
                    Clock.systemUTC());
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static FakeSinkContext context() {
        return FakeSinkContext.withProperties();
    }
}
