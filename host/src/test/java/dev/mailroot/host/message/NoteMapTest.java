package dev.mailroot.host.message;

import dev.mailroot.sink.Note;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The notes' rules, which the server and the testkit share. */
class NoteMapTest {
    private static final Note<String> TEXT = Note.of("t.text", String.class);
    private static final Note<Integer> NUMBER = Note.of("t.number", Integer.class);

    @Test
    void aNoteReadWithAnotherTypeIsRefusedAndTypesAreKept() {
        NoteMap notes = new NoteMap();
        notes.put(NUMBER, 7);
        notes.put(Note.of("t.when", Instant.class), Instant.EPOCH);
        assertThat(notes.get(NUMBER)).contains(7);
        assertThatThrownBy(() -> notes.get(Note.of("t.number", String.class)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("note t.number holds a Integer, not a String");
        assertThat(notes.names()).containsExactly("t.number", "t.when");
    }

    @Test
    void overlongTooManyOrNullNotesAreRefusedAndTheNotesStayAsTheyWere() {
        NoteMap notes = new NoteMap();
        notes.put(TEXT, "kept");
        assertThatThrownBy(() -> notes.put(TEXT, "x".repeat(NoteMap.MAX_STRING + 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> notes.put(TEXT, null)).hasMessageContaining("a value is required");
        assertThat(notes.get(TEXT)).contains("kept");

        for (int i = 0; i < 15; i++) {
            notes.put(Note.of("t.big" + i, String.class), "y".repeat(NoteMap.MAX_STRING));
        }
        // the sixteenth 64 K note passes 1 M characters in all: refused, and nothing of it is kept
        assertThatThrownBy(() -> notes.put(Note.of("t.big15", String.class), "y".repeat(NoteMap.MAX_STRING)))
                .hasMessageContaining("at most " + NoteMap.MAX_NOTES + " notes of " + NoteMap.MAX_TOTAL);
        assertThat(notes.names()).hasSize(16).doesNotContain("t.big15");
        // replacing a value with one that passes the total puts the old value back
        assertThatThrownBy(() -> notes.put(TEXT, "z".repeat(NoteMap.MAX_STRING))).isInstanceOf(IllegalArgumentException.class);
        assertThat(notes.get(TEXT)).contains("kept");

        NoteMap many = new NoteMap();
        for (int i = 0; i < NoteMap.MAX_NOTES; i++) {
            many.put(Note.of("n" + i, Boolean.class), true);
        }
        assertThatThrownBy(() -> many.put(Note.of("n-extra", Boolean.class), true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(many.names()).hasSize(NoteMap.MAX_NOTES);
    }

    @Test
    void aSnapshotUndoesWhatCameAfterIt() {
        NoteMap notes = new NoteMap(java.util.Map.of("t.text", "before"));
        var saved = notes.snapshot();
        notes.put(TEXT, "after");
        notes.put(NUMBER, 1);
        notes.restore(saved);
        assertThat(notes.asMap()).containsExactly(java.util.Map.entry("t.text", "before"));
        assertThat(List.copyOf(notes.names())).containsExactly("t.text");
    }
}
