package io.parley.support;

import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.ClassDescriptor;

import java.util.Comparator;

/**
 * Keeps JUnit's order of the test classes but runs {@code OpenApiCoverageTest} last, after every class
 * whose calls it counts (see junit-platform.properties).
 */
public final class CoverageLast implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparing((ClassDescriptor d) -> d.getTestClass().getSimpleName().equals("OpenApiCoverageTest")));
    }
}
