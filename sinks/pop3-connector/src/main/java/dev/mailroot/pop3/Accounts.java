package dev.mailroot.pop3;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the accounts of {@code conf/pop3-connector.yaml}. Each account is checked on its own: one
 * with a problem is reported and left out, and the others run.
 *
 * @param accounts the usable accounts
 * @param problems one line per account (or file) that is left out
 */
record Accounts(List<Account> accounts, List<String> problems) {

    private static final Set<String> KEYS = Set.of("name", "host", "port", "security", "user", "password", "passwordFile",
            "mailbox", "type", "routing", "fallbackMailbox", "leaveOnServer", "intervalMinutes", "connectTimeoutSeconds",
            "readTimeoutSeconds", "sslTrust");

    static Accounts parse(Map<String, Object> config, Path confDir) {
        List<Account> accounts = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String key : config.keySet()) {
            if (!key.equals("accounts")) {
                problems.add("pop3-connector.yaml: unknown key '" + key + "' (known: accounts)");
            }
        }
        Object list = config.get("accounts");
        if (list == null) {
            return new Accounts(accounts, problems);
        }
        if (!(list instanceof List<?> items)) {
            problems.add("pop3-connector.yaml: 'accounts' must be a list");
            return new Accounts(accounts, problems);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            String label = "account " + (i + 1);
            try {
                if (!(item instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException("expected keys such as name, host, user");
                }
                Object n = map.get("name");
                if (n != null) {
                    label = "account '" + n + "'";
                }
                Account a = account(map, confDir);
                if (!names.add(a.name().toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("another account has the name '" + a.name() + "'");
                }
                accounts.add(a);
            } catch (IllegalArgumentException e) {
                problems.add(label + " is not used: " + e.getMessage());
            }
        }
        return new Accounts(accounts, problems);
    }

    private static Account account(Map<?, ?> m, Path confDir) {
        for (Object key : m.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown key '" + key + "'");
            }
        }
        String name = text(m, "name", true);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name '" + name + "' must be letters, digits, '.', '_' or '-' (at most 64)");
        }
        String host = text(m, "host", true);
        Account.Security security = switch (text(m, "security", false) == null ? "none"
                : text(m, "security", false).toLowerCase(Locale.ROOT)) {
            case "none" -> Account.Security.NONE;
            case "starttls" -> Account.Security.STARTTLS;
            case "ssl" -> Account.Security.SSL;
            default -> throw new IllegalArgumentException("security must be none, starttls or ssl, not '"
                    + text(m, "security", false) + "'");
        };
        int port = number(m, "port", security == Account.Security.SSL ? 995 : 110, 1, 65535);
        String user = text(m, "user", true);
        String password = text(m, "password", false);
        String passwordFile = text(m, "passwordFile", false);
        if ((password == null) == (passwordFile == null)) {
            throw new IllegalArgumentException("give either password or passwordFile");
        }
        if (passwordFile != null) {
            password = firstLine(confDir.resolve(passwordFile), passwordFile);
        }
        String typeText = text(m, "type", false);
        Account.Type type = typeText == null || typeText.equalsIgnoreCase("user") ? Account.Type.USER
                : typeText.equalsIgnoreCase("global") ? Account.Type.GLOBAL : null;
        if (type == null) {
            throw new IllegalArgumentException("type must be user or global, not '" + typeText + "'");
        }
        String mailbox = mailbox(text(m, "mailbox", type == Account.Type.USER), "mailbox");
        List<Account.Route> routing = new ArrayList<>();
        Object r = m.get("routing");
        if (r != null) {
            if (!(r instanceof List<?> routes)) {
                throw new IllegalArgumentException("routing must be a list of {address, mailbox}");
            }
            for (Object o : routes) {
                if (!(o instanceof Map<?, ?> route) || route.get("address") == null || route.get("mailbox") == null) {
                    throw new IllegalArgumentException("each routing entry needs address and mailbox");
                }
                routing.add(new Account.Route(new Wildcard(String.valueOf(route.get("address")).strip()),
                        mailbox(String.valueOf(route.get("mailbox")), "routing mailbox")));
            }
        }
        String fallback = mailbox(text(m, "fallbackMailbox", false), "fallbackMailbox");
        if (type == Account.Type.GLOBAL && routing.isEmpty() && fallback == null) {
            throw new IllegalArgumentException("a global account needs routing or a fallbackMailbox");
        }
        if (type == Account.Type.USER && (!routing.isEmpty() || fallback != null)) {
            throw new IllegalArgumentException("routing and fallbackMailbox are for type: global; a user account has a mailbox");
        }
        return new Account(name, host, port, security, user, password, type, mailbox, routing, fallback,
                bool(m, "leaveOnServer"), number(m, "intervalMinutes", 15, 1, 10080),
                number(m, "connectTimeoutSeconds", 30, 1, 3600), number(m, "readTimeoutSeconds", 60, 1, 3600),
                text(m, "sslTrust", false));
    }

    /** The password in a passwordFile: its first line, without trailing spaces or CR; the rest may be notes. */
    private static String firstLine(Path file, String given) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("passwordFile " + given + " does not exist (" + file + ")");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("passwordFile " + given + " cannot be read: permission denied (" + file + ")");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("passwordFile " + given + " is not UTF-8 text (" + file + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("passwordFile " + given + " cannot be read: " + e.getMessage() + " (" + file + ")");
        }
        String first = text.lines().findFirst().orElse("").stripTrailing();
        if (first.isEmpty()) {
            throw new IllegalArgumentException("passwordFile " + given + " has no password on its first line (" + file + ")");
        }
        return first;
    }

    private static String text(Map<?, ?> m, String key, boolean required) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            if (required) {
                throw new IllegalArgumentException(key + " is missing");
            }
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(key + " must be a single value");
        }
        return String.valueOf(v).strip();
    }

    private static int number(Map<?, ?> m, String key, int fallback, int min, int max) {
        Object v = m.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(String.valueOf(v).strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(key + " must be a whole number " + min + ".." + max + ", not '" + v + "'");
    }

    private static boolean bool(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
    }

    /** The server's mailbox-name rule (an RFC 5322 dot-atom without '/'), so a name cannot escape its folder. */
    static String mailbox(String name, String what) {
        if (name == null) {
            return null;
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (!n.matches("[a-z0-9!#$%&'*+=?^_`{|}~-]+(\\.[a-z0-9!#$%&'*+=?^_`{|}~-]+)*") || n.length() > 64) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a mailbox name");
        }
        return n;
    }
}
