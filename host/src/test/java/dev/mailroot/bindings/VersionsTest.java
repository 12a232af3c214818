package dev.mailroot.bindings;

import org.junit.jupiter.api.Test;
import org.pf4j.VersionManager;
import org.pf4j.DefaultVersionManager;

import static org.assertj.core.api.Assertions.assertThat;

class VersionsTest {

    @Test
    void theVersionIsTheBuildsAndTheCompatibilityVersionDropsItsQualifier() {
        assertThat(Versions.BUILD).isEqualTo(System.getProperty("mailroot.version", Versions.BUILD))
                .matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(Versions.BUILD).startsWith(Versions.MAILROOT);
        assertThat(Versions.MAILROOT).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(Versions.withoutQualifier("1.0.0-SNAPSHOT")).isEqualTo("1.0.0");
        assertThat(Versions.withoutQualifier("2.3.4+build.7")).isEqualTo("2.3.4");
        assertThat(Versions.withoutQualifier("2.3.4")).isEqualTo("2.3.4");
    }

    @Test
    void bundledPluginsRequiringThisReleaseAreAcceptedDuringDevelopment() {
        VersionManager semver = new DefaultVersionManager();
        // why MAILROOT drops the qualifier: semver puts 1.0.0-SNAPSHOT before 1.0.0
        assertThat(semver.checkVersionConstraint("1.0.0-SNAPSHOT", ">=1.0.0")).isFalse();
        assertThat(semver.checkVersionConstraint(Versions.MAILROOT, ">=1.0.0")).isTrue();
        assertThat(semver.checkVersionConstraint(Versions.MAILROOT, ">=9.0.0")).isFalse();
    }
}
