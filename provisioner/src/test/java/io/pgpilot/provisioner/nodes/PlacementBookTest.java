package io.pgpilot.provisioner.nodes;

import io.pgpilot.provisioner.StaleCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementBookTest {

    @TempDir
    Path home;

    @Test
    void assignmentsSurviveANewBook() {
        PlacementBook book = new PlacementBook(home);
        book.assign("pg", 1, "a");
        book.assign("pg", 2, "b");
        book.assign("pg.two", 1, "b");

        PlacementBook reopened = new PlacementBook(home);
        assertThat(reopened.node("pg", 2)).isEqualTo("b");
        assertThat(reopened.cluster("pg")).isEqualTo(Map.of(1, "a", 2, "b"));
        assertThat(reopened.clusters()).isEqualTo(List.of("pg", "pg.two"));
    }

    @Test
    void releasedAssignmentsAreGoneAfterARestart() {
        PlacementBook book = new PlacementBook(home);
        book.assign("pg", 1, "a");
        book.assign("pg", 2, "b");
        book.assign("pg2", 1, "a");
        book.release("pg", 2);
        book.releaseCluster("pg2");

        PlacementBook reopened = new PlacementBook(home);
        assertThat(reopened.all()).isEqualTo(Map.of("pg/1", "a"));
        assertThat(reopened.cluster("pg2")).isEmpty();
    }

    @Test
    void aMovedAssignmentLeavesAStaleCopyUntilItIsRemoved() {
        PlacementBook book = new PlacementBook(home);
        book.assign("pg", 1, "a");
        book.assign("pg", 2, "b");
        book.assign("pg", 2, "c"); // b was lost: pg-2 re-created on c
        assertThat(book.node("pg", 2)).isEqualTo("c");
        assertThat(book.staleCopies("pg")).containsExactly(new StaleCopy("pg", 2, "b"));

        PlacementBook reopened = new PlacementBook(home);
        assertThat(reopened.all()).isEqualTo(Map.of("pg/1", "a", "pg/2", "c"));
        assertThat(reopened.clusters()).isEqualTo(List.of("pg"));
        assertThat(reopened.staleCopies("pg")).containsExactly(new StaleCopy("pg", 2, "b"));
        assertThat(reopened.staleCopies("other")).isEmpty();

        reopened.staleCopyRemoved(new StaleCopy("pg", 2, "b"));
        assertThat(new PlacementBook(home).staleCopies("pg")).isEmpty();
    }

    @Test
    void movingBackOntoANodeWithAStaleCopyForgetsIt() {
        PlacementBook book = new PlacementBook(home);
        book.assign("pg", 2, "b");
        book.assign("pg", 2, "c");
        book.assign("pg", 2, "b"); // c lost in turn before b's copy was removed: created anew on b
        assertThat(book.staleCopies("pg")).containsExactly(new StaleCopy("pg", 2, "c"));
    }

    @Test
    void releasingAClusterForgetsItsStaleCopies() {
        PlacementBook book = new PlacementBook(home);
        book.assign("pg", 2, "b");
        book.assign("pg", 2, "c");
        book.releaseCluster("pg");
        assertThat(new PlacementBook(home).staleCopies("pg")).isEmpty();
    }
}
