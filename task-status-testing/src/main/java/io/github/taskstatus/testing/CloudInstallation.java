package io.github.taskstatus.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The local cloud, installed once per content in a cache directory: its JavaScript sources, {@code
 * package.json}, {@code package-lock.json} and patches, which this kit carries as resources, are
 * unpacked into {@code <cache>/<content hash>/} and {@code npm ci} installs what the lock file pins
 * there (Node.js 22 among it, from the {@code node} package). A directory is used only once its
 * installation finished; processes installing the same content at once wait for each other.
 */
final class CloudInstallation {

  /** Where the resources live in the kit's jar. */
  static final String RESOURCES = "io/github/taskstatus/testing/local-cloud/";

  /** Written last: its presence says the directory is complete. */
  private static final String INSTALLED = ".installed";

  /** One installer per JVM: a file lock cannot be taken twice by one process. */
  private static final Object JVM_LOCK = new Object();

  private CloudInstallation() {}

  /**
   * The default cache: the {@code taskstatus.testing.cache} system property, else the {@code
   * TASK_STATUS_TESTING_CACHE} environment variable, else {@code ~/.cache/task-status-testing}.
   */
  static Path defaultCache() {
    String property = System.getProperty("taskstatus.testing.cache");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String variable = System.getenv("TASK_STATUS_TESTING_CACHE");
    if (variable != null && !variable.isBlank()) {
      return Path.of(variable);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "task-status-testing");
  }

  /**
   * The installed local cloud for this kit's resources, installing it first if need be.
   *
   * @param cache the cache directory
   * @param timeout how long {@code npm ci} may take
   * @return the directory holding {@code cloud.mjs} and its {@code node_modules}
   */
  static Path ensure(Path cache, Duration timeout) {
    Map<String, byte[]> files = resources();
    Path dir = cache.resolve(contentHash(files));
    synchronized (JVM_LOCK) {
      try {
        Files.createDirectories(cache);
        try (FileChannel channel =
                FileChannel.open(
                    cache.resolve(dir.getFileName() + ".lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.lock()) {
          if (!Files.exists(dir.resolve(INSTALLED))) {
            install(dir, files, timeout);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Could not install the local cloud in " + dir, e);
      }
    }
    return dir;
  }

  /** The executable of the installed Node.js. */
  static Path node(Path installation) {
    return installation.resolve("node_modules/node/bin/node");
  }

  private static void install(Path dir, Map<String, byte[]> files, Duration timeout)
      throws IOException {
    deleteRecursively(dir);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Path target = dir.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, file.getValue());
    }
    Path log = dir.resolve("npm-ci.log");
    Process npm;
    try {
      npm =
          new ProcessBuilder(
                  "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "npm is not on the PATH: LocalTaskCloud installs the local cloud's packages (Node.js"
              + " 22 among them) with 'npm ci' once per version; install Node.js with npm",
          e);
    }
    try {
      if (!npm.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        npm.descendants().forEach(ProcessHandle::destroyForcibly);
        npm.destroyForcibly();
        throw new IllegalStateException(
            "'npm ci' in " + dir + " did not finish within " + timeout + "; see " + log);
      }
    } catch (InterruptedException e) {
      npm.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while installing the local cloud", e);
    }
    if (npm.exitValue() != 0 || !Files.isExecutable(node(dir))) {
      throw new IllegalStateException(
          "'npm ci' in "
              + dir
              + " failed (exit code "
              + npm.exitValue()
              + "); npm must reach its registry, or its cache must hold the packages. Its"
              + " output:\n"
              + Files.readString(log, StandardCharsets.UTF_8).strip());
    }
    Files.writeString(dir.resolve(INSTALLED), "npm ci finished\n", StandardCharsets.UTF_8);
  }

  /** The kit's local cloud resources: path below {@link #RESOURCES} to content, sorted. */
  static Map<String, byte[]> resources() {
    URL anchor = CloudInstallation.class.getResource("/" + RESOURCES + "package.json");
    if (anchor == null) {
      throw new IllegalStateException(
          RESOURCES
              + "package.json is missing from the classpath: the task-status-testing jar"
              + " was built without the local cloud");
    }
    Map<String, byte[]> files = new TreeMap<>();
    try {
      if (anchor.getProtocol().equals("jar")) {
        URLConnection connection = anchor.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = ((JarURLConnection) connection).getJarFile()) {
          for (JarEntry entry : jar.stream().toList()) {
            if (entry.getName().startsWith(RESOURCES) && !entry.isDirectory()) {
              try (InputStream in = jar.getInputStream(entry)) {
                files.put(entry.getName().substring(RESOURCES.length()), in.readAllBytes());
              }
            }
          }
        }
      } else {
        Path root = Path.of(anchor.toURI()).getParent();
        try (Stream<Path> paths = Files.walk(root)) {
          for (Path file : paths.filter(Files::isRegularFile).toList()) {
            files.put(
                root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the local cloud's resources", e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return files;
  }

  /** A name for the content: the same files always install into the same directory. */
  static String contentHash(Map<String, byte[]> files) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        sha256.update(file.getKey().getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        sha256.update(Integer.toString(file.getValue().length).getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        sha256.update(file.getValue());
      }
      return HexFormat.of().formatHex(sha256.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
