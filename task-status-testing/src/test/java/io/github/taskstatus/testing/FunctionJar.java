package io.github.taskstatus.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** A Lambda deployment package made of test classes, as a user's build makes their function's. */
final class FunctionJar {
  private FunctionJar() {}

  /** A jar of the given classes (and their nested classes) in a new temporary directory. */
  static Path of(Class<?>... classes) {
    try {
      Path jar = Files.createTempDirectory("function-jar").resolve("function.jar");
      try (OutputStream file = Files.newOutputStream(jar);
          JarOutputStream out = new JarOutputStream(file)) {
        for (Class<?> type : classes) {
          for (Class<?> member : withNested(type)) {
            String name = member.getName().replace('.', '/') + ".class";
            out.putNextEntry(new JarEntry(name));
            try (InputStream in = member.getClassLoader().getResourceAsStream(name)) {
              in.transferTo(out);
            }
            out.closeEntry();
          }
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Class<?>> withNested(Class<?> type) {
    List<Class<?>> all = new ArrayList<>(List.of(type));
    all.addAll(List.of(type.getDeclaredClasses()));
    return all;
  }
}
