package dev.mailroot.server.dispatch;

import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.sink.Headers;

import java.util.List;
import java.util.Optional;

/** The {@link Headers} a sink sees, over the message's parsed header section. */
final class SectionHeaders implements Headers {
    private final HeaderSection section;

    SectionHeaders(HeaderSection section) {
        this.section = section;
    }

    @Override
    public Optional<String> first(String name) {
        return section.first(name);
    }

    @Override
    public List<String> all(String name) {
        return section.all(name);
    }

    @Override
    public List<String> names() {
        return section.names();
    }

    @Override
    public void add(String name, String value) {
        section.add(name, value);
    }

    @Override
    public void set(String name, String value) {
        section.set(name, value);
    }

    @Override
    public int remove(String name) {
        return section.remove(name);
    }
}
