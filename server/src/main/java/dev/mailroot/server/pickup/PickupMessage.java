package dev.mailroot.server.pickup;

import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A pickup file read as a message, the IIS way (docs/pickup.md): leading {@code x-sender:} and
 * {@code x-receiver:} lines give the envelope and are stripped; without them the sender comes from
 * {@code Sender:}, else {@code From:}, and the recipients from {@code To:}, {@code Cc:} and
 * {@code Bcc:}. The {@code Bcc:} field is always removed from the message.
 *
 * @param sender     the envelope sender (empty for none)
 * @param recipients the envelope recipients, in order, without duplicates
 * @param content    the message to spool (envelope lines and Bcc removed)
 * @param origin     what a connector said about the file ({@code x-connector:}, {@code x-connector-account:},
 *                   {@code x-client-address:}); {@link Origin#NONE} for other files
 */
record PickupMessage(String sender, List<String> recipients, MessageContent content, Origin origin) {

    /**
     * Where a connector got the message: its name (what {@code SOURCE=} rules match), the account,
     * and the address of the client that first sent it, if the connector knows it. Pickup is a
     * trusted interface (whoever can write there can send any local mailbox mail), so these lines
     * are believed as {@code x-sender:} is.
     */
    record Origin(String connector, String account, String clientAddress) {
        static final Origin NONE = new Origin(null, null, null);
    }

    private static final int MAX_ENVELOPE_LINE = 2048;
    private static final int MAX_RECEIVERS = 100_000;

    /**
     * Reads {@code file}. The message's content is read through the file's open channel, so it is
     * valid only while the file is open.
     *
     * @throws BadPickupFile if it is empty, larger than {@code maxSize}, not a message, or names no recipient
     */
    static PickupMessage read(PickupFile file, long maxSize) throws IOException, BadPickupFile {
        long size = file.size();
        if (size == 0) {
            throw new BadPickupFile("the file is empty");
        }
        if (size > maxSize) {
            throw new BadPickupFile("the file is " + size + " bytes, larger than smtp.maxMessageSize (" + maxSize + ")");
        }
        EnvelopeLines lines = EnvelopeLines.read(file.content());
        MessageContent content = file.content(lines.length());
        HeaderSection section = HeaderSection.parse(content);
        if (section.fields().isEmpty()) {
            throw new BadPickupFile("not a message: it does not start with header fields (such as From: or Subject:)"
                    + (lines.length() > 0 ? " after its x-sender/x-receiver lines" : ""));
        }
        for (HeaderSection.Field f : section.fields()) {
            for (byte b : f.raw()) {
                if (b == 0) {
                    throw new BadPickupFile("not a message: the header field " + f.name() + " contains a NUL byte");
                }
            }
        }
        String sender = lines.sender() != null ? lines.sender() : headerSender(section);
        List<String> recipients = lines.receivers().isEmpty() ? headerRecipients(section) : lines.receivers();
        if (recipients.isEmpty()) {
            throw new BadPickupFile("no recipient: no x-receiver: line and no address in To:, Cc: or Bcc:");
        }
        MessageContent message = section.remove("Bcc") > 0 ? section.applyTo(content) : content;
        return new PickupMessage(sender, recipients, message, lines.origin());
    }

    private static String headerSender(HeaderSection section) throws BadPickupFile {
        for (String field : List.of("Sender", "From")) {
            for (String value : section.all(field)) {
                List<String> a = addresses(field, value);
                if (!a.isEmpty()) {
                    return a.get(0);
                }
            }
        }
        return "";
    }

    private static List<String> headerRecipients(HeaderSection section) throws BadPickupFile {
        Set<String> seen = new LinkedHashSet<>();
        List<String> out = new ArrayList<>();
        for (String field : List.of("To", "Cc", "Bcc")) {
            for (String value : section.all(field)) {
                for (String a : addresses(field, value)) {
                    if (seen.add(a.toLowerCase(Locale.ROOT))) {
                        out.add(a);
                    }
                }
            }
        }
        return out;
    }

    private static List<String> addresses(String field, String value) throws BadPickupFile {
        List<String> out = new ArrayList<>();
        try {
            for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                if (a.isGroup()) {
                    for (InternetAddress member : a.getGroup(false)) {
                        addIfPresent(out, member.getAddress(), field, value);
                    }
                } else {
                    addIfPresent(out, a.getAddress(), field, value);
                }
            }
        } catch (AddressException e) {
            throw new BadPickupFile("the " + field + ": field cannot be read as addresses (" + e.getMessage() + "): "
                    + value);
        }
        return out;
    }

    private static void addIfPresent(List<String> out, String address, String field, String value) throws BadPickupFile {
        if (address == null || address.isBlank()) {
            return;
        }
        try {
            out.add(EnvelopeLines.address(address, field, false));
        } catch (BadPickupFile e) {
            throw new BadPickupFile("the " + field + ": field cannot be read as addresses: " + value);
        }
    }

    /** The leading {@code x-sender:} / {@code x-receiver:} lines of a file. */
    record EnvelopeLines(String sender, List<String> receivers, long length, Origin origin) {

        private static final java.util.regex.Pattern CONNECTOR = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
        private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

        static EnvelopeLines read(MessageContent file) throws IOException, BadPickupFile {
            String connector = null;
            String account = null;
            String client = null;
            String sender = null;
            List<String> receivers = new ArrayList<>();
            long length = 0;
            try (InputStream in = new BufferedInputStream(file.open())) {
                byte[] line;
                while ((line = readLine(in)) != null) {
                    String text = new String(line, StandardCharsets.UTF_8).stripTrailing();
                    String lower = text.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("x-sender:")) {
                        if (sender != null || !receivers.isEmpty()) {
                            throw new BadPickupFile("a second x-sender: line, or x-sender: after x-receiver: "
                                    + "(one x-sender: comes first, then one x-receiver: per recipient)");
                        }
                        sender = address(text.substring(9), "x-sender", true);
                    } else if (lower.startsWith("x-receiver:")) {
                        if (sender == null) {
                            throw new BadPickupFile("an x-receiver: line before any x-sender: line (x-sender: comes first)");
                        }
                        if (receivers.size() >= MAX_RECEIVERS) {
                            throw new BadPickupFile("more than " + MAX_RECEIVERS + " x-receiver: lines");
                        }
                        receivers.add(address(text.substring(11), "x-receiver", false));
                    } else if (lower.startsWith("x-connector:") && sender != null) {
                        String v = text.substring(12).strip().toLowerCase(Locale.ROOT);
                        if (connector != null || !CONNECTOR.matcher(v).matches() || v.equals("smtp") || v.equals("pickup")
                                || v.equals("sink")) {
                            throw new BadPickupFile("a second x-connector: line, or a connector name that is not lower-case "
                                    + "letters, digits, '.' and '-' (or is smtp, pickup or sink): " + v.replaceAll("\\p{Cntrl}", "?"));
                        }
                        connector = v;
                    } else if (lower.startsWith("x-connector-account:") && sender != null) {
                        String v = text.substring(20).strip();
                        if (account != null || v.isEmpty() || v.length() > 200 || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                            throw new BadPickupFile("a second x-connector-account: line, or an account name that is empty, "
                                    + "longer than 200 characters or holds a control character");
                        }
                        account = v;
                    } else if (lower.startsWith("x-client-address:") && sender != null) {
                        String v = text.substring(17).strip();
                        if (client != null || !(IPV4.matcher(v).matches() || v.indexOf(':') >= 0 && v.length() <= 45
                                && v.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.'))) {
                            throw new BadPickupFile("a second x-client-address: line, or one that is not an IPv4 or IPv6 "
                                    + "address: " + v.replaceAll("\\p{Cntrl}", "?"));
                        }
                        client = v;
                    } else {
                        break;
                    }
                    length += line.length;
                }
            }
            if ((account != null || client != null) && connector == null) {
                throw new BadPickupFile("x-connector-account: or x-client-address: without an x-connector: line");
            }
            return new EnvelopeLines(sender, receivers, length, connector == null ? Origin.NONE
                    : new Origin(connector, account, client));
        }

        private static String address(String value, String what, boolean emptyAllowed) throws BadPickupFile {
            String a = value.strip();
            if (a.startsWith("<") && a.endsWith(">")) {
                a = a.substring(1, a.length() - 1).strip();
            }
            if (a.isEmpty() && !emptyAllowed) {
                throw new BadPickupFile("an empty " + what + ": line");
            }
            for (int i = 0; i < a.length(); i++) {
                char c = a.charAt(i);
                if (c <= ' ' || c == 0x7f || c == '<' || c == '>') {
                    throw new BadPickupFile("the " + what + ": address '" + a.replaceAll("\\p{Cntrl}", "?")
                            + "' contains white space, a control character or an angle bracket");
                }
            }
            if (a.length() > 320) {
                throw new BadPickupFile("the " + what + ": address is longer than 320 characters");
            }
            return a;
        }

        /** One line with its line end, or null at the end; a line longer than the limit ends the envelope lines. */
        private static byte[] readLine(InputStream in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                if (b == '\n') {
                    return out.toByteArray();
                }
                if (out.size() > MAX_ENVELOPE_LINE) {
                    return out.toByteArray();
                }
            }
            return out.size() == 0 ? null : out.toByteArray();
        }
    }
}
