package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests, read with the fabric8 Kubernetes model (unknown fields fail), checked
 * against the HOCON the server runs with: ports, labels and the discovery selector, probe paths,
 * RBAC, environment variable names, secrets and the overlays' files.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("..", "k8s");
  // strict: a misspelt field is an error, as kubectl apply --validate=strict would say
  private static final ObjectMapper YAML =
      JsonMapper.builder(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();
  private final Config config = ConfigFactory.load();

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(file.toFile())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static <T> T one(Path file, String kind, Class<T> type) throws IOException {
    for (JsonNode doc : documents(file)) {
      if (doc.path("kind").asText().equals(kind)) {
        T value = YAML.treeToValue(doc, type);
        assertNoUnknownFields(value, file + " " + kind);
        return value;
      }
    }
    throw new AssertionError("no " + kind + " in " + file);
  }

  /**
   * The fabric8 model keeps fields it does not know in {@code additionalProperties} instead of
   * failing: a misspelt field is one of those.
   */
  private static void assertNoUnknownFields(Object value, String where) {
    if (value == null) {
      return;
    }
    if (value instanceof Iterable<?> items) {
      items.forEach(item -> assertNoUnknownFields(item, where));
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.values().forEach(item -> assertNoUnknownFields(item, where));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object field;
      try {
        field = getter.invoke(value);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        assertTrue(
            field == null || ((Map<?, ?>) field).isEmpty(),
            where + ": unknown field(s) " + field + " in " + value.getClass().getSimpleName());
      } else {
        assertNoUnknownFields(field, where);
      }
    }
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }

  private static int port(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no port " + name));
  }

  @Test
  void theDeploymentMatchesTheConfiguration() throws IOException {
    Deployment deployment = one(K8S.resolve("base/deployment.yaml"), "Deployment", Deployment.class);
    assertEquals(3, deployment.getSpec().getReplicas());
    Container helix = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    // ports: the container's, the env that sets them, and the HOCON defaults agree
    assertEquals(config.getInt("helix.http.port"), port(helix, "http"));
    assertEquals(Integer.parseInt(env(helix, "HELIX_HTTP_PORT")), port(helix, "http"));
    assertEquals(config.getInt("pekko.management.http.port"), port(helix, "management"));
    assertEquals(Integer.parseInt(env(helix, "HELIX_MANAGEMENT_PORT")), port(helix, "management"));
    assertEquals(config.getInt("pekko.remote.artery.canonical.port"), port(helix, "remoting"));
    assertEquals(Integer.parseInt(env(helix, "HELIX_REMOTE_PORT")), port(helix, "remoting"));

    // probes hit Pekko Management's health paths on the management port
    String ready = "/" + config.getString("pekko.management.health-checks.readiness-path");
    String alive = "/" + config.getString("pekko.management.health-checks.liveness-path");
    assertProbe(helix.getReadinessProbe(), ready);
    assertProbe(helix.getLivenessProbe(), alive);
    assertProbe(helix.getStartupProbe(), alive);

    // discovery: the pods carry the label the Kubernetes API discovery selects
    assertEquals(ClusterFormation.KUBERNETES, env(helix, "HELIX_DISCOVERY"));
    String selector =
        String.format(
            config.getString("pekko.discovery.kubernetes-api.pod-label-selector"),
            env(helix, "HELIX_SERVICE_NAME"));
    String[] labelPair = selector.split("=");
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertEquals(labelPair[1], podLabels.get(labelPair[0]), "pods match " + selector);
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(),
        Map.of(labelPair[0], labelPair[1]));
    assertEquals(
        "kubernetes-api",
        config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));

    Service service = one(K8S.resolve("base/service.yaml"), "Service", Service.class);
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
    assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    PodDisruptionBudget pdb =
        one(K8S.resolve("base/pdb.yaml"), "PodDisruptionBudget", PodDisruptionBudget.class);
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels());

    // the node advertises its pod IP for remoting and health
    for (String name : List.of("HELIX_REMOTE_HOST", "HELIX_MANAGEMENT_HOST")) {
      EnvVar podIp =
          helix.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
      assertEquals("status.podIP", podIp.getValueFrom().getFieldRef().getFieldPath());
    }
    assertNotNull(helix.getResources().getRequests().get("cpu"));
    assertNotNull(helix.getResources().getLimits().get("memory"));
  }

  private static void assertProbe(Probe probe, String path) {
    assertNotNull(probe);
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals("management", probe.getHttpGet().getPort().getStrVal());
  }

  @Test
  void rbacLetsTheServiceAccountListPods() throws IOException {
    Path rbac = K8S.resolve("base/rbac.yaml");
    ServiceAccount account = one(rbac, "ServiceAccount", ServiceAccount.class);
    Role role = one(rbac, "Role", Role.class);
    RoleBinding binding = one(rbac, "RoleBinding", RoleBinding.class);
    PolicyRule rule = role.getRules().get(0);
    assertTrue(rule.getResources().contains("pods"));
    assertTrue(rule.getVerbs().containsAll(List.of("get", "watch", "list")));
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());
    Deployment deployment = one(K8S.resolve("base/deployment.yaml"), "Deployment", Deployment.class);
    assertEquals(
        account.getMetadata().getName(),
        deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
  }

  @Test
  void everyEnvironmentVariableIsOneTheServerReads() throws IOException {
    Set<String> read = environmentVariablesInHocon();
    read.add("JAVA_TOOL_OPTIONS"); // read by the JVM itself
    Deployment deployment = one(K8S.resolve("base/deployment.yaml"), "Deployment", Deployment.class);
    Container helix = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> names = new ArrayList<>(helix.getEnv().stream().map(EnvVar::getName).toList());
    ConfigMap configMap = one(K8S.resolve("base/configmap.yaml"), "ConfigMap", ConfigMap.class);
    names.addAll(configMap.getData().keySet());
    for (String name : names) {
      assertTrue(read.contains(name), name + " is not read by any HOCON file");
    }
    assertEquals(
        configMap.getMetadata().getName(),
        helix.getEnvFrom().get(0).getConfigMapRef().getName());
  }

  @Test
  void theDevOverlayProvidesTheSecretsAndItsDatabase() throws IOException {
    Deployment deployment = one(K8S.resolve("base/deployment.yaml"), "Deployment", Deployment.class);
    Container helix = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Set<String> dbKeys = new HashSet<>();
    for (EnvVar var : helix.getEnv()) {
      if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null
          && var.getValueFrom().getSecretKeyRef().getName().equals("helix-db")) {
        dbKeys.add(var.getValueFrom().getSecretKeyRef().getKey());
      }
    }
    JsonNode dev = YAML.readTree(K8S.resolve("overlays/dev/kustomization.yaml").toFile());
    JsonNode generator = dev.get("secretGenerator").get(0);
    assertEquals("helix-db", generator.get("name").asText());
    Set<String> literals = new HashSet<>();
    generator.get("literals").forEach(l -> literals.add(l.asText().split("=", 2)[0]));
    assertEquals(dbKeys, literals);
    generator.get("literals").forEach(
        l -> {
          if (l.asText().startsWith("url=")) {
            assertTrue(l.asText().startsWith("url=jdbc:postgresql://helix-postgres:5432/"));
          }
        });
    StatefulSet postgres =
        one(K8S.resolve("overlays/dev/postgres.yaml"), "StatefulSet", StatefulSet.class);
    Service postgresService = one(K8S.resolve("overlays/dev/postgres.yaml"), "Service", Service.class);
    assertEquals("helix-postgres", postgresService.getMetadata().getName());
    assertEquals(
        postgres.getSpec().getSelector().getMatchLabels(), postgresService.getSpec().getSelector());
  }

  @Test
  void everyKustomizationNamesFilesThatExist() throws IOException {
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      Path root = K8S.resolve(dir);
      JsonNode kustomization = YAML.readTree(root.resolve("kustomization.yaml").toFile());
      List<String> paths = new ArrayList<>();
      kustomization.path("resources").forEach(r -> paths.add(r.asText()));
      kustomization.path("patches").forEach(p -> paths.add(p.path("path").asText()));
      for (String path : paths) {
        assertTrue(Files.exists(root.resolve(path)), dir + " names " + path);
      }
      for (String path : paths) {
        Path file = root.resolve(path);
        if (Files.isRegularFile(file)) {
          assertTrue(!documents(file).isEmpty(), file + " is valid YAML with content");
        }
      }
    }
  }

  /** The names in {@code ${?NAME}} of every HOCON file the server loads. */
  private static Set<String> environmentVariablesInHocon() throws IOException {
    Set<String> names = new HashSet<>();
    Pattern optionalEnv = Pattern.compile("\\$\\{\\?([A-Z0-9_]+)}");
    for (String resource : List.of("reference.conf", "application.conf")) {
      for (URL url : Collections.list(KubernetesManifestsTest.class.getClassLoader().getResources(resource))) {
        String text = new String(url.openStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher matcher = optionalEnv.matcher(text);
        while (matcher.find()) {
          names.add(matcher.group(1));
        }
      }
    }
    return names;
  }
}
