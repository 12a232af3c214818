package dev.mailroot.filters;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An address or a pattern of addresses an administrator lists: {@code spammer@example.net},
 * {@code *@example.net} (the whole domain), {@code *@*.example.net} (its subdomains); {@code *}
 * stands for any characters, case is ignored (the Exchange 2003 sender and recipient filters'
 * forms).
 *
 * @param text the pattern as written
 */
record AddressPattern(String text, Pattern regex) {

    /** @throws IllegalArgumentException if {@code text} is not an address or pattern */
    static AddressPattern parse(String text) {
        String t = text == null ? "" : text.strip();
        int at = t.lastIndexOf('@');
        if (at <= 0 || at == t.length() - 1 || t.chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>' || c > 126)) {
            throw new IllegalArgumentException("'" + text + "' is not an address or a pattern such as *@example.net");
        }
        StringBuilder re = new StringBuilder();
        String[] parts = t.toLowerCase(Locale.ROOT).split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            re.append(i == 0 ? "" : ".*").append(Pattern.quote(parts[i]));
        }
        return new AddressPattern(t, Pattern.compile(re.toString()));
    }

    /** Whether {@code address} matches, ignoring case. */
    boolean matches(String address) {
        return regex.matcher(address.toLowerCase(Locale.ROOT)).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
