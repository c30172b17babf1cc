package io.parley.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applied to every test class (autodetected, see junit-platform.properties): fails a test whose HTTP
 * calls did not match docs/openapi.yaml, and records which operations each test class called (with
 * the statuses it got) in target/openapi-calls/, for {@code OpenApiCoverageTest}.
 */
public final class ContractExtension implements AfterEachCallback, AfterAllCallback {

    /** One file per test class: a line per operation called, `operationId status status ...`. */
    public static final Path CALLS = Path.of("target", "openapi-calls");

    @Override
    public void afterEach(ExtensionContext context) {
        failOnMismatches();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
            return; // a @Nested class: its calls are its outer class's
        }
        Map<String, Set<Integer>> calls = OpenApiContract.loaded() ? OpenApiContract.get().drainCalls() : Map.of();
        String lines = calls.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().stream().map(String::valueOf).collect(Collectors.joining(" ")))
                .collect(Collectors.joining("\n"));
        try {
            Files.createDirectories(CALLS);
            Files.writeString(CALLS.resolve(context.getRequiredTestClass().getName() + ".txt"), lines.isEmpty() ? "" : lines + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        failOnMismatches(); // calls made in @BeforeAll / @AfterAll
    }

    private static void failOnMismatches() {
        if (!OpenApiContract.loaded()) {
            return;
        }
        List<String> found = OpenApiContract.get().drainMismatches();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " HTTP exchange(s) do not match " + OpenApiContract.FILE + ":\n  - "
                    + String.join("\n  - ", found));
        }
    }
}
