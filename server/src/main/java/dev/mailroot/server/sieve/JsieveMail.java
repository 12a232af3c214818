package dev.mailroot.server.sieve;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.jsieve.SieveContext;
import org.apache.jsieve.mail.Action;
import org.apache.jsieve.mail.AddressImpl;
import org.apache.jsieve.mail.MailAdapter;
import org.apache.jsieve.mail.SieveMailException;
import org.apache.jsieve.mail.optional.EnvelopeAccessors;

/**
 * What jSieve sees of a {@link SieveMail} during one evaluation: the header fields, the envelope,
 * and a list the script's actions are added to. jSieve's own "execute the actions" step does
 * nothing here: the actions are returned to the caller as a {@link Decision} instead.
 * One per evaluation; not thread-safe.
 */
final class JsieveMail implements MailAdapter, EnvelopeAccessors {

    private final SieveMail mail;
    private final List<Action> actions = new ArrayList<>();

    JsieveMail(SieveMail mail) {
        this.mail = mail;
    }

    @Override
    public void setContext(SieveContext context) {
    }

    @Override
    public List<Action> getActions() {
        return actions;
    }

    @Override
    public void addAction(Action action) {
        actions.add(action);
    }

    @Override
    public void executeActions() {
    }

    @Override
    public List<String> getHeader(String name) {
        return mail.headers(name);
    }

    @Override
    public List<String> getMatchingHeader(String name) {
        return mail.headers(name.strip());
    }

    @Override
    public List<String> getHeaderNames() {
        return mail.headerNames();
    }

    @Override
    public int getSize() {
        return (int) Math.min(Integer.MAX_VALUE, mail.size());
    }

    @Override
    public String getContentType() {
        List<String> types = mail.headers("Content-Type");
        return types.isEmpty() ? "text/plain" : types.get(0);
    }

    @Override
    public boolean isInBodyText(List<String> phrases) throws SieveMailException {
        throw new SieveMailException("the body test is not supported");
    }

    @Override
    public boolean isInBodyRaw(List<String> phrases) throws SieveMailException {
        throw new SieveMailException("the body test is not supported");
    }

    @Override
    public boolean isInBodyContent(List<String> contentTypes, List<String> phrases) throws SieveMailException {
        throw new SieveMailException("the body test is not supported");
    }

    /**
     * The addresses in the named fields. A field that does not parse is skipped rather than
     * failing the script: a sender's broken {@code From:} must not turn every rule off.
     */
    @Override
    public Address[] parseAddresses(String headerName) {
        List<Address> result = new ArrayList<>();
        for (String value : mail.headers(headerName.strip())) {
            InternetAddress[] parsed;
            try {
                parsed = InternetAddress.parseHeader(value, false);
            } catch (AddressException e) {
                continue;
            }
            for (InternetAddress a : parsed) {
                addMailboxes(a, result);
            }
        }
        return result.toArray(new Address[0]);
    }

    private static void addMailboxes(InternetAddress a, List<Address> result) {
        if (a.isGroup()) {
            try {
                for (InternetAddress member : a.getGroup(false)) {
                    addMailboxes(member, result);
                }
            } catch (AddressException e) {
                // a group whose members do not parse contributes none
            }
            return;
        }
        String address = a.getAddress();
        if (address == null || address.isEmpty()) {
            return;
        }
        int at = address.lastIndexOf('@');
        result.add(at < 0 ? new AddressImpl(address, "")
                : new AddressImpl(address.substring(0, at), address.substring(at + 1)));
    }

    @Override
    public List<String> getEnvelope(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "from" -> List.of(mail.envelopeSender());
            case "to" -> List.of(mail.envelopeRecipient());
            default -> List.of();
        };
    }

    @Override
    public List<String> getEnvelopeNames() {
        return List.of("from", "to");
    }

    @Override
    public List<String> getMatchingEnvelope(String name) {
        return getEnvelope(name);
    }
}
