package dev.mailroot.server.address;

import java.util.Locale;

/**
 * An address split at its last {@code @}: {@code local@domain}. The domain is kept lower case and
 * without a trailing dot; the local part is kept as given. An address without {@code @} has an
 * empty domain.
 */
public record MailAddress(String localPart, String domain) {

    /** Splits {@code address} (without angle brackets). */
    public static MailAddress parse(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return new MailAddress(address, "");
        }
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        return new MailAddress(address.substring(0, at), domain);
    }

    public boolean hasDomain() {
        return !domain.isEmpty();
    }

    @Override
    public String toString() {
        return domain.isEmpty() ? localPart : localPart + "@" + domain;
    }
}
