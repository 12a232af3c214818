package dev.mailroot.bindings;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** A second process for {@link BindingStoreTest}: adds {@code count} bindings named {@code prefix-N}. */
public final class StoreWriterMain {
    public static void main(String[] args) throws Exception {
        BindingStore store = new BindingStore(Path.of(args[0]));
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            store.update(r -> r.with(new Binding(Binding.canonicalId(UUID.randomUUID().toString()), name,
                    Events.ON_SUBMISSION, "S", true, null, Binding.PRIORITY_DEFAULT, Map.of())));
        }
    }
}
