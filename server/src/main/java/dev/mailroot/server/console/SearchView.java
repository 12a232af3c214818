package dev.mailroot.server.console;

/** {@code /ui/search}: the {@code bin/mailroot trace} view. */
final class SearchView implements Console.View {
    private final ConsoleServices s;

    SearchView(ConsoleServices s) {
        this.s = s;
    }

    @Override
    public Console.Answer get(Console.Request r) {
        return new Console.Page("Message search", "search", "");
    }
}
