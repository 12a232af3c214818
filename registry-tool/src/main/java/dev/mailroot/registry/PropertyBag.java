package dev.mailroot.registry;

import java.util.Locale;

/** smtpreg's two property bags: Source (Rule, Priority) and Sink (the sink's own). */
enum PropertyBag {
    SOURCE, SINK;

    static PropertyBag of(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "source" -> SOURCE;
            case "sink" -> SINK;
            default -> throw new RegistryException("property bag '" + text + "' is neither 'source' nor 'sink'");
        };
    }

    /** The source property a name means (Rule or Priority, any case), or a refusal. */
    static String sourceProperty(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "rule" -> "Rule";
            case "priority" -> "Priority";
            default -> throw new RegistryException("source property '" + name + "' is neither Rule nor Priority");
        };
    }
}
