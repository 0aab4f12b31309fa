package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.helix.http.HttpSettings;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests, read with the fabric8 Kubernetes model (unknown fields fail), checked
 * against the HOCON the server runs with: ports, labels and the discovery selector, probe paths,
 * RBAC, environment variable names, secrets and the overlays' files. The overlays are rendered by
 * {@link #render}, a small kustomize (checked against kubectl's where kubectl is installed), and
 * their pods checked against the restricted Pod Security Standard, the NetworkPolicy against the
 * pods' labels and ports, prod's remoting TLS, image digest and API tokens.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("..", "k8s");
  private static final Path DOCKERFILE = Path.of("..", "Dockerfile");
  private static final Path DOCS = Path.of("..", "docs", "kubernetes.md");
  private static final List<String> OVERLAYS = List.of("overlays/dev", "overlays/prod");
  private static final String SSL = "pekko.remote.artery.ssl.config-ssl-engine.";
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
    read.add("JDK_JAVA_OPTIONS"); // read by the java launcher, the image's entrypoint
    Deployment deployment = one(K8S.resolve("base/deployment.yaml"), "Deployment", Deployment.class);
    Container helix = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> names = new ArrayList<>(helix.getEnv().stream().map(EnvVar::getName).toList());
    ConfigMap configMap = one(K8S.resolve("base/configmap.yaml"), "ConfigMap", ConfigMap.class);
    names.addAll(configMap.getData().keySet());
    for (String overlay : OVERLAYS) {
      names.addAll(helixContainer(render(overlay)).getEnv().stream().map(EnvVar::getName).toList());
    }
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
    JsonNode generator = null;
    for (JsonNode g : dev.path("secretGenerator")) {
      if (g.path("name").asText().equals("helix-db")) {
        generator = g;
      }
    }
    assertNotNull(generator, "the dev overlay generates helix-db");
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

    // every secret the dev pods need (not `optional: true`) is one the overlay makes, with the key
    List<ObjectNode> rendered = render("overlays/dev");
    for (ObjectNode workload : workloads(rendered)) {
      for (Container container : containers(podTemplate(workload).getSpec())) {
        for (EnvVar var : container.getEnv()) {
          SecretKeySelector ref =
              var.getValueFrom() == null ? null : var.getValueFrom().getSecretKeyRef();
          if (ref != null && !Boolean.TRUE.equals(ref.getOptional())) {
            Secret secret = typed(find(rendered, "Secret", ref.getName()), Secret.class);
            assertTrue(
                secret.getData().containsKey(ref.getKey()),
                "dev's secret " + ref.getName() + " has no key " + ref.getKey());
          }
        }
      }
    }

    // PostgreSQL on a read-only root: data on the volume claim, its socket and /tmp on emptyDirs
    PodSpec postgresPod = postgres.getSpec().getTemplate().getSpec();
    Container postgresContainer = postgresPod.getContainers().get(0);
    String pgData =
        postgresContainer.getEnv().stream()
            .filter(e -> e.getName().equals("PGDATA"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElseThrow();
    VolumeMount dataMount = mountOf(postgresContainer, pgData);
    assertEquals(
        postgres.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName(),
        dataMount.getName(),
        "PGDATA is on the volume claim");
    for (String path : List.of("/var/run/postgresql", "/tmp")) {
      assertWritableEmptyDir(postgresPod, postgresContainer, path, "dev postgres " + path);
    }
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

  // ---------------------------------------------------------------------------------------------
  // The restricted Pod Security Standard
  // (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)

  private static final Set<String> RESTRICTED_VOLUME_TYPES =
      Set.of(
          "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
          "projected", "secret");

  @Test
  void everyPodMeetsTheRestrictedPodSecurityStandard() throws IOException {
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      List<ObjectNode> workloads = workloads(render(dir));
      assertFalse(workloads.isEmpty(), dir + " has workloads");
      for (ObjectNode workload : workloads) {
        String where = dir + " " + workload.path("kind").asText() + " " + name(workload);
        assertRestricted(podTemplate(workload).getSpec(), where);
      }
    }
    // the Helix pods run as the image's user
    long uid = dockerfileUser();
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      PodSpec pod = podTemplate(find(render(dir), "Deployment", "helix")).getSpec();
      assertEquals(uid, pod.getSecurityContext().getRunAsUser(), dir + ": the Dockerfile's USER");
    }
  }

  private static void assertRestricted(PodSpec pod, String where) {
    PodSecurityContext podContext = pod.getSecurityContext();
    assertNotNull(podContext, where + ": a pod securityContext");
    // pod level: what holds for every container, init containers included
    assertEquals(Boolean.TRUE, podContext.getRunAsNonRoot(), where + ": pod runAsNonRoot");
    assertNotEquals(0L, podContext.getRunAsUser(), where + ": pod runAsUser is not root");
    assertNotNull(podContext.getSeccompProfile(), where + ": pod seccompProfile");
    assertEquals(
        "RuntimeDefault", podContext.getSeccompProfile().getType(), where + ": pod seccompProfile");
    assertTrue(
        podContext.getSysctls() == null || podContext.getSysctls().isEmpty(), where + ": sysctls");
    assertNotEquals(Boolean.TRUE, pod.getHostNetwork(), where + ": hostNetwork");
    assertNotEquals(Boolean.TRUE, pod.getHostPID(), where + ": hostPID");
    assertNotEquals(Boolean.TRUE, pod.getHostIPC(), where + ": hostIPC");
    for (Volume volume : pod.getVolumes()) {
      Set<String> types = new HashSet<>();
      YAML.valueToTree(volume).fieldNames().forEachRemaining(types::add);
      types.remove("name");
      assertTrue(
          RESTRICTED_VOLUME_TYPES.containsAll(types),
          where + ": volume " + volume.getName() + " of type " + types);
    }
    List<Container> containers = containers(pod);
    assertFalse(containers.isEmpty());
    for (Container container : containers) {
      String at = where + " container " + container.getName();
      SecurityContext context = container.getSecurityContext();
      assertNotNull(context, at + ": a securityContext");
      // container level: what the standard asks of each container
      assertEquals(
          Boolean.FALSE, context.getAllowPrivilegeEscalation(), at + ": allowPrivilegeEscalation");
      assertNotEquals(Boolean.TRUE, context.getPrivileged(), at + ": privileged");
      Capabilities capabilities = context.getCapabilities();
      assertNotNull(capabilities, at + ": capabilities");
      assertTrue(capabilities.getDrop().contains("ALL"), at + ": capabilities drop ALL");
      assertTrue(
          capabilities.getAdd() == null || capabilities.getAdd().isEmpty(),
          at + ": adds no capability");
      assertTrue(
          context.getProcMount() == null || context.getProcMount().equals("Default"),
          at + ": procMount");
      assertNull(context.getWindowsOptions(), at + ": windowsOptions");
      if (context.getSeLinuxOptions() != null) {
        assertNull(context.getSeLinuxOptions().getUser(), at + ": SELinux user");
        assertNull(context.getSeLinuxOptions().getRole(), at + ": SELinux role");
      }
      if (context.getAppArmorProfile() != null) {
        assertNotEquals("Unconfined", context.getAppArmorProfile().getType(), at + ": AppArmor");
      }
      // a container may set these itself: then its own values must hold too
      Boolean nonRoot =
          context.getRunAsNonRoot() != null
              ? context.getRunAsNonRoot()
              : podContext.getRunAsNonRoot();
      assertEquals(Boolean.TRUE, nonRoot, at + ": runAsNonRoot");
      assertNotEquals(0L, context.getRunAsUser(), at + ": runAsUser");
      String seccomp =
          context.getSeccompProfile() != null
              ? context.getSeccompProfile().getType()
              : podContext.getSeccompProfile().getType();
      assertTrue(
          Set.of("RuntimeDefault", "Localhost").contains(seccomp), at + ": seccomp " + seccomp);
      for (ContainerPort port : container.getPorts()) {
        assertTrue(port.getHostPort() == null || port.getHostPort() == 0, at + ": hostPort");
      }
      // beyond the standard: nothing writes to the image
      assertEquals(
          Boolean.TRUE, context.getReadOnlyRootFilesystem(), at + ": readOnlyRootFilesystem");
    }
  }

  @Test
  void theHelixPodWritesOnlyToAnEmptyDir() throws IOException {
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      List<ObjectNode> rendered = render(dir);
      PodSpec pod = podTemplate(find(rendered, "Deployment", "helix")).getSpec();
      Container helix = helixContainer(rendered);
      Map<String, String> env = environment(helix, rendered);
      Matcher tmpdir =
          Pattern.compile("-Djava\\.io\\.tmpdir=(\\S+)").matcher(env.get("JAVA_TOOL_OPTIONS"));
      assertTrue(tmpdir.find(), dir + ": JAVA_TOOL_OPTIONS sets java.io.tmpdir");
      assertWritableEmptyDir(pod, helix, tmpdir.group(1), dir + " java.io.tmpdir");
      assertNotNull(env.get("HELIX_DATA_DIR"), dir + ": HELIX_DATA_DIR");
      assertWritableEmptyDir(pod, helix, env.get("HELIX_DATA_DIR"), dir + " HELIX_DATA_DIR");
      // Helix on Kubernetes keeps its data in PostgreSQL, never in the embedded database
      assertTrue(
          helix.getEnv().stream().anyMatch(e -> e.getName().equals("HELIX_DB_URL")),
          dir + ": HELIX_DB_URL");
    }
  }

  @Test
  void theNamespaceExampleEnforcesTheRestrictedStandard() throws IOException {
    Namespace namespace = one(K8S.resolve("namespace.yaml"), "Namespace", Namespace.class);
    Map<String, String> labels = namespace.getMetadata().getLabels();
    for (String mode : List.of("enforce", "warn", "audit")) {
      assertEquals("restricted", labels.get("pod-security.kubernetes.io/" + mode), mode);
    }
    // the base and the overlays deploy into the namespace they are given
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      for (ObjectNode doc : render(dir)) {
        assertNotEquals("Namespace", doc.path("kind").asText(), dir + " creates no namespace");
        assertTrue(
            doc.path("metadata").path("namespace").isMissingNode(), dir + " sets no namespace");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // NetworkPolicy (kubernetes-model-networking is not on the class path: its fields are checked
  // here, as strictly as fabric8 would)

  @Test
  void theNetworkPolicyLetsThroughOnlyWhatMustGetThrough() throws IOException {
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      List<ObjectNode> rendered = render(dir);
      ObjectNode policy = find(rendered, "NetworkPolicy", "helix");
      assertNetworkPolicyFields(policy, dir);
      Deployment deployment = typed(find(rendered, "Deployment", "helix"), Deployment.class);
      Map<String, String> helixLabels = deployment.getSpec().getSelector().getMatchLabels();
      Map<String, Integer> ports = namedPorts(helixContainer(rendered));
      JsonNode spec = policy.path("spec");

      // it selects exactly the Helix pods
      assertEquals(helixLabels, labels(spec.path("podSelector").path("matchLabels")), dir);
      assertTrue(spec.path("podSelector").path("matchExpressions").isMissingNode(), dir);
      assertTrue(
          deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet()
              .containsAll(helixLabels.entrySet()),
          dir + ": the pods carry the policy's labels");
      Set<String> types = new HashSet<>();
      spec.path("policyTypes").forEach(t -> types.add(t.asText()));
      assertEquals(Set.of("Ingress", "Egress"), types, dir + ": policyTypes");

      // ingress: by port, who may come in
      int remoting = ports.get("remoting");
      int management = ports.get("management");
      int http = ports.get("http");
      Map<Integer, List<String>> peersByPort = new TreeMap<>();
      for (JsonNode rule : spec.path("ingress")) {
        List<String> peers = peers(rule.path("from"), helixLabels, dir);
        for (int port : tcpPorts(rule.path("ports"), ports, dir)) {
          peersByPort.computeIfAbsent(port, p -> new ArrayList<>()).addAll(peers);
        }
      }
      assertEquals(
          Set.of(remoting, management, http), peersByPort.keySet(), dir + ": the ports let in");
      assertEquals(
          Set.of("helix"),
          Set.copyOf(peersByPort.get(remoting)),
          dir + ": remoting only between nodes");
      assertTrue(
          peersByPort.get(management).contains("helix"),
          dir + ": Cluster Bootstrap probes the other nodes' management port");
      assertTrue(
          peersByPort.get(management).stream().anyMatch(p -> p.startsWith("namespace:")),
          dir + ": management from a monitoring namespace");
      for (String peer : peersByPort.get(management)) {
        assertTrue(
            peer.equals("helix") || peer.startsWith("namespace:"),
            dir + ": management only from the nodes and a named namespace, not " + peer);
      }
      assertFalse(
          peersByPort.get(http).contains("anywhere"),
          dir + ": the API not from outside the cluster");

      // egress: to the other nodes, DNS, the database, HTTPS and the Kubernetes API, nothing else
      int databasePort = databasePort();
      Set<String> anywhere = new HashSet<>();
      Set<Integer> toHelix = new HashSet<>();
      for (JsonNode rule : spec.path("egress")) {
        List<String> peers = peers(rule.path("to"), helixLabels, dir);
        if (peers.equals(List.of("helix"))) {
          toHelix.addAll(tcpPorts(rule.path("ports"), ports, dir));
        } else {
          assertEquals(List.of("anywhere"), peers, dir + ": egress to " + peers);
          assertFalse(rule.path("ports").isEmpty(), dir + ": an egress rule open on every port");
          for (JsonNode port : rule.path("ports")) {
            assertTrue(port.path("port").isInt(), dir + ": egress to " + port);
            anywhere.add(port.path("port").asInt() + "/" + port.path("protocol").asText("TCP"));
          }
        }
      }
      assertEquals(Set.of(remoting, management), toHelix, dir + ": egress to the other nodes");
      assertEquals(
          Set.of("53/UDP", "53/TCP", databasePort + "/TCP", "443/TCP", "6443/TCP"),
          anywhere,
          dir + ": egress: DNS, PostgreSQL, HTTPS, the Kubernetes API");
    }

    // dev: its PostgreSQL only from the Helix pods, on the port the database URL names
    List<ObjectNode> dev = render("overlays/dev");
    ObjectNode policy = find(dev, "NetworkPolicy", "helix-postgres");
    assertNetworkPolicyFields(policy, "dev");
    StatefulSet postgres = typed(find(dev, "StatefulSet", "helix-postgres"), StatefulSet.class);
    Map<String, String> helixLabels =
        typed(find(dev, "Deployment", "helix"), Deployment.class)
            .getSpec().getSelector().getMatchLabels();
    JsonNode spec = policy.path("spec");
    assertEquals(
        postgres.getSpec().getSelector().getMatchLabels(),
        labels(spec.path("podSelector").path("matchLabels")));
    Map<String, Integer> postgresPorts =
        namedPorts(postgres.getSpec().getTemplate().getSpec().getContainers().get(0));
    assertEquals(1, spec.path("ingress").size());
    JsonNode rule = spec.path("ingress").get(0);
    assertEquals(List.of("helix"), peers(rule.path("from"), helixLabels, "dev"));
    assertEquals(Set.of(databasePort()), tcpPorts(rule.path("ports"), postgresPorts, "dev"));
  }

  /** The port of the dev overlay's database URL, which the egress rule must allow. */
  private static int databasePort() throws IOException {
    Secret db = typed(find(render("overlays/dev"), "Secret", "helix-db"), Secret.class);
    String url =
        new String(Base64.getDecoder().decode(db.getData().get("url")), StandardCharsets.UTF_8);
    Matcher port = Pattern.compile("^jdbc:postgresql://[^/:]+(?::(\\d+))?/").matcher(url);
    assertTrue(port.find(), url);
    return port.group(1) == null ? 5432 : Integer.parseInt(port.group(1));
  }

  /** Each peer as "helix" (the Helix pods), "namespace:<labels>", "cluster" or "anywhere". */
  private static List<String> peers(JsonNode peers, Map<String, String> helixLabels, String where) {
    if (peers.isMissingNode() || peers.isEmpty()) {
      return List.of("anywhere");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode peer : peers) {
      if (peer.has("ipBlock")) {
        names.add("anywhere");
      } else if (peer.has("namespaceSelector")) {
        assertFalse(peer.has("podSelector"), where + ": unexpected peer " + peer);
        Map<String, String> labels = labels(peer.path("namespaceSelector").path("matchLabels"));
        assertTrue(peer.path("namespaceSelector").path("matchExpressions").isMissingNode(), where);
        names.add(labels.isEmpty() ? "cluster" : "namespace:" + labels);
      } else {
        assertEquals(
            helixLabels,
            labels(peer.path("podSelector").path("matchLabels")),
            where + ": a pod peer is a Helix pod");
        names.add("helix");
      }
    }
    return names;
  }

  /** The TCP port numbers of a rule; named ports must be the pods' own, no ports = all of them. */
  private static Set<Integer> tcpPorts(JsonNode ports, Map<String, Integer> named, String where) {
    if (ports.isMissingNode() || ports.isEmpty()) {
      return new HashSet<>(named.values());
    }
    Set<Integer> numbers = new HashSet<>();
    for (JsonNode port : ports) {
      assertEquals("TCP", port.path("protocol").asText("TCP"), where + ": " + port);
      assertTrue(port.path("endPort").isMissingNode(), where + ": a port range " + port);
      JsonNode value = port.path("port");
      if (value.isTextual()) {
        assertTrue(named.containsKey(value.asText()), where + ": no container port named " + value);
        numbers.add(named.get(value.asText()));
      } else {
        assertTrue(named.containsValue(value.asInt()), where + ": no container port " + value);
        numbers.add(value.asInt());
      }
    }
    return numbers;
  }

  private static void assertNetworkPolicyFields(JsonNode policy, String where) {
    assertEquals("networking.k8s.io/v1", policy.path("apiVersion").asText(), where);
    assertFields(policy, where, "apiVersion", "kind", "metadata", "spec");
    assertFields(policy.path("metadata"), where, "name", "namespace", "labels", "annotations");
    JsonNode spec = policy.path("spec");
    assertFields(spec, where, "podSelector", "policyTypes", "ingress", "egress");
    assertSelectorFields(spec.path("podSelector"), where);
    for (String direction : List.of("ingress", "egress")) {
      String peersField = direction.equals("ingress") ? "from" : "to";
      for (JsonNode rule : spec.path(direction)) {
        assertFields(rule, where, peersField, "ports");
        for (JsonNode peer : rule.path(peersField)) {
          assertFields(peer, where, "podSelector", "namespaceSelector", "ipBlock");
          assertSelectorFields(peer.path("podSelector"), where);
          assertSelectorFields(peer.path("namespaceSelector"), where);
          assertFields(peer.path("ipBlock"), where, "cidr", "except");
        }
        for (JsonNode port : rule.path("ports")) {
          assertFields(port, where, "port", "endPort", "protocol");
          assertTrue(
              Set.of("TCP", "UDP", "SCTP").contains(port.path("protocol").asText("TCP")), where);
        }
      }
    }
  }

  private static void assertSelectorFields(JsonNode selector, String where) {
    assertFields(selector, where, "matchLabels", "matchExpressions");
    for (JsonNode expression : selector.path("matchExpressions")) {
      assertFields(expression, where, "key", "operator", "values");
    }
  }

  private static void assertFields(JsonNode node, String where, String... known) {
    if (node.isMissingNode()) {
      return;
    }
    assertTrue(node.isObject(), where + ": " + node + " is not an object");
    Set<String> allowed = Set.of(known);
    node.fieldNames()
        .forEachRemaining(
            field -> assertTrue(allowed.contains(field), where + ": unknown field " + field));
  }

  private static Map<String, String> labels(JsonNode matchLabels) {
    Map<String, String> labels = new HashMap<>();
    matchLabels.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  private static Map<String, Integer> namedPorts(Container container) {
    Map<String, Integer> ports = new HashMap<>();
    for (ContainerPort port : container.getPorts()) {
      assertEquals("TCP", Optional.ofNullable(port.getProtocol()).orElse("TCP"));
      ports.put(port.getName(), port.getContainerPort());
    }
    return ports;
  }

  // ---------------------------------------------------------------------------------------------
  // prod: remoting over mutual TLS, the image by digest; the API's tokens

  @Test
  void prodEncryptsRemotingWithMutualTls() throws Exception {
    List<ObjectNode> rendered = render("overlays/prod");
    PodSpec pod = podTemplate(find(rendered, "Deployment", "helix")).getSpec();
    Container helix = helixContainer(rendered);
    // JDK_JAVA_OPTIONS: read by the java launcher (the image's entrypoint), which expands @files
    assertTrue(
        dockerfileEntrypoint().startsWith("[\"java\""), "the image runs the java launcher");
    String options = env(helix, "JDK_JAVA_OPTIONS");
    assertFalse(
        options.matches("(?s).*[\"'\\\\].*"), "no quoting: the options are split on spaces");
    Properties properties = new Properties();
    List<String> argFiles = new ArrayList<>();
    for (String option : options.trim().split("\\s+")) {
      if (option.startsWith("-D") && option.contains("=")) {
        String[] pair = option.substring(2).split("=", 2);
        properties.setProperty(pair[0], pair[1]);
      } else if (option.startsWith("@")) {
        argFiles.add(option.substring(1));
      } else {
        fail("unexpected option " + option);
      }
    }
    // the passwords are in a file of the secret, never in the pod spec
    for (String name : properties.stringPropertyNames()) {
      assertFalse(name.contains("password"), name + " in the pod spec");
    }
    Map<String, String> environment = environment(helix, rendered);
    environment.forEach(
        (name, value) -> assertFalse(value.contains("password="), name + " holds a password"));

    // what Pekko reads: the system properties over the configuration on the class path
    Config tls = ConfigFactory.parseProperties(properties).withFallback(config);
    assertEquals("tls-tcp", tls.getString("pekko.remote.artery.transport"));
    assertEquals(
        "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider",
        tls.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
    assertTrue(tls.getBoolean(SSL + "require-mutual-authentication"), "mutual authentication");
    // pod IPs change and are in no certificate
    assertFalse(tls.getBoolean(SSL + "hostname-verification"));
    assertEquals("TLSv1.3", tls.getString(SSL + "protocol"));
    SSLContext.getInstance(tls.getString(SSL + "protocol"));
    List<String> algorithms = tls.getStringList(SSL + "enabled-algorithms");
    assertFalse(algorithms.isEmpty());
    Set<String> supported =
        Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    for (String algorithm : algorithms) {
      assertTrue(supported.contains(algorithm), algorithm + " is a cipher suite of this JVM");
      assertFalse(algorithm.contains("_WITH_"), algorithm + " is a TLS 1.3 suite");
    }

    // the stores and the passwords' file: from the secret, mounted read-only, every key required
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .filter(v -> v.getSecret().getSecretName().equals("helix-remoting-tls"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume of the secret helix-remoting-tls"));
    SecretVolumeSource secret = volume.getSecret();
    assertNotEquals(Boolean.TRUE, secret.getOptional());
    VolumeMount mount =
        helix.getVolumeMounts().stream()
            .filter(m -> m.getName().equals(volume.getName()))
            .findFirst()
            .orElseThrow();
    assertEquals(Boolean.TRUE, mount.getReadOnly());
    Set<String> files = new HashSet<>();
    for (KeyToPath item : secret.getItems()) {
      files.add(mount.getMountPath() + "/" + item.getPath());
    }
    assertTrue(files.contains(tls.getString(SSL + "key-store")), "key-store from the secret");
    assertTrue(files.contains(tls.getString(SSL + "trust-store")), "trust-store from the secret");
    assertEquals(1, argFiles.size());
    assertTrue(files.contains(argFiles.get(0)), "the passwords' file from the secret");
    // readable by the pod's group (fsGroup) only: the files belong to root
    int mode = secret.getDefaultMode();
    assertEquals(0440, mode & 0777, "defaultMode " + Integer.toOctalString(mode));
    assertNotNull(pod.getSecurityContext().getFsGroup());

    // dev stays on plain TCP
    Container devHelix = helixContainer(render("overlays/dev"));
    assertTrue(devHelix.getEnv().stream().noneMatch(e -> e.getName().equals("JDK_JAVA_OPTIONS")));
  }

  @Test
  void prodPinsTheImageByDigestAndDevByTag() throws IOException {
    JsonNode prod = YAML.readTree(K8S.resolve("overlays/prod/kustomization.yaml").toFile());
    JsonNode dev = YAML.readTree(K8S.resolve("overlays/dev/kustomization.yaml").toFile());
    String baseImage =
        typed(find(render("base"), "Deployment", "helix"), Deployment.class)
            .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    String baseName = baseImage.split("[:@]")[0];
    JsonNode prodImage = prod.path("images").get(0);
    assertEquals(baseName, prodImage.path("name").asText());
    assertTrue(
        prodImage.path("digest").asText().matches("sha256:[0-9a-f]{64}"),
        "prod: images[].digest, sha256:<64 hex digits>");
    assertTrue(prodImage.path("newTag").isMissingNode(), "prod: no tag");
    for (ObjectNode workload : workloads(render("overlays/prod"))) {
      for (Container container : containers(podTemplate(workload).getSpec())) {
        assertTrue(
            container.getImage().matches("[^@:]+(:\\d+)?(/[^@:]+)*@sha256:[0-9a-f]{64}"),
            "prod " + container.getName() + " by digest alone: " + container.getImage());
      }
    }
    JsonNode devImage = dev.path("images").get(0);
    assertEquals(baseName, devImage.path("name").asText());
    assertFalse(devImage.path("newTag").asText().isEmpty(), "dev: a tag");
    assertTrue(devImage.path("digest").isMissingNode(), "dev: no digest");
    String devHelix = helixContainer(render("overlays/dev")).getImage();
    assertFalse(devHelix.contains("@"), devHelix);
    assertEquals(baseName + ":" + devImage.path("newTag").asText(), devHelix);
  }

  @Test
  void theApiTakesTokensFromASecret() throws IOException {
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      List<ObjectNode> rendered = render(dir);
      Container helix = helixContainer(rendered);
      EnvVar tokens =
          helix.getEnv().stream()
              .filter(e -> e.getName().equals("HELIX_API_TOKENS"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(dir + ": no HELIX_API_TOKENS"));
      assertNull(tokens.getValue(), dir + ": tokens never in the manifest");
      SecretKeySelector ref = tokens.getValueFrom().getSecretKeyRef();
      assertEquals("helix-api-tokens", ref.getName(), dir);
      assertEquals("tokens", ref.getKey(), dir);
      assertEquals(Boolean.FALSE, ref.getOptional(), dir + ": optional: false");
      assertTrue(
          helix.getEnv().stream().noneMatch(e -> e.getName().equals("HELIX_AUTH")),
          dir + ": authentication is not turned off");
      ConfigMap configMap = typed(find(rendered, "ConfigMap", "helix-config"), ConfigMap.class);
      for (String key : List.of("HELIX_API_TOKENS", "HELIX_AUTH")) {
        assertFalse(configMap.getData().containsKey(key), dir + ": " + key + " in the ConfigMap");
      }
      // what the server decides at start with this environment (the API on a pod address)
      Map<String, String> environment = environment(helix, rendered);
      assertNotEquals("127.0.0.1", environment.get("HELIX_HTTP_HOST"), dir);
      Config node = configWithEnvironment(environment);
      HttpSettings http = HttpSettings.fromConfig(node);
      assertTrue(http.authEnabled(), dir + ": the API needs a token");
      SecureDefaults.requireAuthentication(node, http);
    }
  }

  @Test
  void theDocsTellHowToCreateEverySecretProdNeeds() throws IOException {
    assertTrue(Files.exists(DOCS), DOCS + " exists");
    String docs = Files.readString(DOCS);
    Set<String> secrets = new HashSet<>();
    List<ObjectNode> prod = render("overlays/prod");
    for (ObjectNode workload : workloads(prod)) {
      PodSpec pod = podTemplate(workload).getSpec();
      for (Container container : containers(pod)) {
        for (EnvVar var : container.getEnv()) {
          if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
            secrets.add(var.getValueFrom().getSecretKeyRef().getName());
          }
        }
      }
      pod.getVolumes().stream()
          .filter(v -> v.getSecret() != null)
          .forEach(v -> secrets.add(v.getSecret().getSecretName()));
    }
    assertTrue(secrets.contains("helix-remoting-tls"), String.valueOf(secrets));
    for (String secret : secrets) {
      assertTrue(
          docs.contains("kubectl create secret generic " + secret),
          DOCS + " shows how to create " + secret);
    }
    for (String setting : List.of("key-store-password", "key-password", "trust-store-password")) {
      assertTrue(docs.contains(setting), DOCS + " shows how to set " + setting);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering: a small kustomize, enough for these overlays (it fails on anything it does not
  // know); where kubectl is installed, a test checks it renders what kubectl renders.

  private static final Set<String> KUSTOMIZATION_FIELDS =
      Set.of(
          "apiVersion", "kind", "resources", "patches", "images", "labels", "secretGenerator",
          "generatorOptions");
  // the strategic-merge keys of the lists the patches touch
  private static final Map<String, String> MERGE_KEYS =
      Map.of(
          "containers", "name",
          "initContainers", "name",
          "env", "name",
          "volumes", "name",
          "volumeMounts", "mountPath",
          "ports", "containerPort",
          "imagePullSecrets", "name");

  static List<ObjectNode> render(String dir) throws IOException {
    return render(K8S.resolve(dir));
  }

  private static List<ObjectNode> render(Path dir) throws IOException {
    JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
    kustomization
        .fieldNames()
        .forEachRemaining(
            field ->
                assertTrue(
                    KUSTOMIZATION_FIELDS.contains(field),
                    dir + ": the test's renderer does not know " + field));
    List<ObjectNode> resources = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources")) {
      Path path = dir.resolve(resource.asText()).normalize();
      if (Files.isDirectory(path)) {
        resources.addAll(render(path));
      } else {
        documents(path).forEach(doc -> resources.add((ObjectNode) doc));
      }
    }
    for (JsonNode generator : kustomization.path("secretGenerator")) {
      assertTrue(
          kustomization.path("generatorOptions").path("disableNameSuffixHash").asBoolean(),
          dir + ": secrets keep their names (disableNameSuffixHash)");
      ObjectNode secret = JsonNodeFactory.instance.objectNode();
      secret.put("apiVersion", "v1");
      secret.put("kind", "Secret");
      secret.putObject("metadata").put("name", generator.path("name").asText());
      ObjectNode data = secret.putObject("data");
      for (JsonNode literal : generator.path("literals")) {
        String[] pair = literal.asText().split("=", 2);
        byte[] value = pair[1].getBytes(StandardCharsets.UTF_8);
        data.put(pair[0], Base64.getEncoder().encodeToString(value));
      }
      secret.put("type", "Opaque");
      resources.add(secret);
    }
    for (JsonNode patch : kustomization.path("patches")) {
      assertEquals(Set.of("path"), fieldNames(patch), dir + ": only patches by path");
      for (JsonNode doc : documents(dir.resolve(patch.path("path").asText()))) {
        merge(find(resources, doc.path("kind").asText(), name(doc)), doc);
      }
    }
    for (JsonNode labels : kustomization.path("labels")) {
      assertFalse(labels.path("includeSelectors").asBoolean(), dir + ": labels on selectors");
      assertFalse(labels.path("includeTemplates").asBoolean(), dir + ": labels on templates");
      for (ObjectNode resource : resources) {
        ObjectNode metadata = (ObjectNode) resource.get("metadata");
        ObjectNode existing =
            metadata.has("labels")
                ? (ObjectNode) metadata.get("labels")
                : metadata.putObject("labels");
        labels.path("pairs").fields().forEachRemaining(e -> existing.set(e.getKey(), e.getValue()));
      }
    }
    for (JsonNode image : kustomization.path("images")) {
      for (ObjectNode resource : resources) {
        JsonNode pod = resource.path("spec").path("template").path("spec");
        for (String list : List.of("containers", "initContainers")) {
          for (JsonNode container : pod.path(list)) {
            String current = container.path("image").asText();
            String imageName = current.replaceAll("@.*$", "").replaceAll(":[^:/]+$", "");
            if (!imageName.equals(image.path("name").asText())) {
              continue;
            }
            String suffix = current.substring(imageName.length());
            String newName = image.path("newName").asText(imageName);
            if (image.has("digest")) {
              suffix = "@" + image.path("digest").asText();
            } else if (image.has("newTag")) {
              suffix = ":" + image.path("newTag").asText();
            }
            ((ObjectNode) container).put("image", newName + suffix);
          }
        }
      }
    }
    return resources;
  }

  /** A strategic merge patch (maps merge, keyed lists merge by key, other lists are replaced). */
  private static void merge(ObjectNode target, JsonNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      JsonNode current = target.get(key);
      if (key.startsWith("$")) {
        fail("the test's renderer does not know " + key);
      } else if (value.isNull()) {
        target.remove(key);
      } else if (value.isObject() && current != null && current.isObject()) {
        merge((ObjectNode) current, value);
      } else if (value.isArray()
          && current != null
          && current.isArray()
          && MERGE_KEYS.containsKey(key)) {
        String mergeKey = MERGE_KEYS.get(key);
        ArrayNode list = (ArrayNode) current;
        for (JsonNode item : value) {
          int index = -1;
          for (int i = 0; i < list.size(); i++) {
            if (list.get(i).path(mergeKey).equals(item.path(mergeKey))) {
              index = i;
            }
          }
          if (item.path("$patch").asText().equals("delete")) {
            assertTrue(index >= 0, "deletes a missing " + key + " " + item);
            list.remove(index);
          } else if (index >= 0) {
            merge((ObjectNode) list.get(index), item);
          } else {
            list.add(item.deepCopy());
          }
        }
      } else {
        target.set(key, value.deepCopy());
      }
    }
  }

  @Test
  void theRenderingIsWhatKubectlRenders() throws Exception {
    Optional<Path> kubectl = executable("kubectl");
    assumeTrue(kubectl.isPresent(), "kubectl is not installed: the rendering is not compared");
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      Process process =
          new ProcessBuilder(kubectl.get().toString(), "kustomize", K8S.resolve(dir).toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      byte[] output = process.getInputStream().readAllBytes();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, process.exitValue(), "kubectl kustomize " + dir);
      Map<String, JsonNode> theirs = new TreeMap<>();
      try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(output)) {
        var it = YAML.readValues(parser, JsonNode.class);
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isEmpty()) {
            theirs.put(doc.path("kind").asText() + "/" + name(doc), normalized(doc));
          }
        }
      }
      Map<String, JsonNode> ours = new TreeMap<>();
      for (ObjectNode doc : render(dir)) {
        ours.put(doc.path("kind").asText() + "/" + name(doc), normalized(doc));
      }
      assertEquals(theirs.keySet(), ours.keySet(), dir);
      for (String key : ours.keySet()) {
        assertEquals(theirs.get(key), ours.get(key), dir + " " + key);
      }
    }
  }

  /**
   * Lists of named things sorted by name: their order means nothing here; a secret's data decoded
   * (kubectl wraps long base64 values).
   */
  private static JsonNode normalized(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), normalized(e.getValue())));
      if (copy.path("kind").asText().equals("Secret") && copy.has("data")) {
        ObjectNode data = (ObjectNode) copy.get("data");
        for (String key : new ArrayList<>(fieldNames(data))) {
          byte[] value = Base64.getMimeDecoder().decode(data.get(key).asText());
          data.put(key, new String(value, StandardCharsets.UTF_8));
        }
      }
      return copy;
    }
    if (node.isArray()) {
      List<JsonNode> items = new ArrayList<>();
      node.forEach(item -> items.add(normalized(item)));
      if (items.stream().allMatch(i -> i.has("name") || i.has("mountPath"))) {
        items.sort(
            Comparator.comparing(
                (JsonNode i) -> i.path("name").asText() + i.path("mountPath").asText()));
      }
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      items.forEach(copy::add);
      return copy;
    }
    return node;
  }

  private static Optional<Path> executable(String command) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, command))
        .filter(Files::isExecutable)
        .findFirst();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers over rendered manifests

  private static String name(JsonNode doc) {
    return doc.path("metadata").path("name").asText();
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static ObjectNode find(List<ObjectNode> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind) && name(d).equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static <T> T typed(JsonNode doc, Class<T> type) throws IOException {
    T value = YAML.treeToValue(doc, type);
    assertNoUnknownFields(value, doc.path("kind").asText() + " " + name(doc));
    return value;
  }

  /** The pod-creating resources; a kind this test cannot check fails it. */
  private static List<ObjectNode> workloads(List<ObjectNode> docs) {
    List<ObjectNode> workloads = new ArrayList<>();
    for (ObjectNode doc : docs) {
      String kind = doc.path("kind").asText();
      if (Set.of("Deployment", "StatefulSet").contains(kind)) {
        workloads.add(doc);
      } else {
        assertFalse(
            Set.of("Pod", "DaemonSet", "ReplicaSet", "Job", "CronJob").contains(kind),
            "the test does not check the pods of a " + kind + ": teach it");
      }
    }
    return workloads;
  }

  private static PodTemplateSpec podTemplate(ObjectNode workload) throws IOException {
    return switch (workload.path("kind").asText()) {
      case "Deployment" -> typed(workload, Deployment.class).getSpec().getTemplate();
      case "StatefulSet" -> typed(workload, StatefulSet.class).getSpec().getTemplate();
      default -> throw new AssertionError(workload.path("kind").asText());
    };
  }

  /** Init containers and containers. */
  private static List<Container> containers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    return all;
  }

  private static Container helixContainer(List<ObjectNode> rendered) throws IOException {
    return podTemplate(find(rendered, "Deployment", "helix")).getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("helix"))
        .findFirst()
        .orElseThrow();
  }

  /**
   * The container's environment as the pod gets it: its ConfigMaps', then its own; a secret's value
   * is "secret-name-key-000…" (32 zeros), the pod's IP 10.0.0.1.
   */
  private static Map<String, String> environment(Container container, List<ObjectNode> rendered)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : container.getEnvFrom()) {
      assertNotNull(from.getConfigMapRef(), "envFrom only ConfigMaps");
      ObjectNode configMap = find(rendered, "ConfigMap", from.getConfigMapRef().getName());
      env.putAll(typed(configMap, ConfigMap.class).getData());
    }
    for (EnvVar var : container.getEnv()) {
      if (var.getValueFrom() == null) {
        env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
      } else if (var.getValueFrom().getSecretKeyRef() != null) {
        SecretKeySelector ref = var.getValueFrom().getSecretKeyRef();
        // a stand-in as long as a real secret (an API token needs 32 characters or more)
        env.put(var.getName(), "secret-" + ref.getName() + "-" + ref.getKey() + "-" + "0".repeat(32));
      } else if (var.getValueFrom().getFieldRef() != null) {
        assertEquals("status.podIP", var.getValueFrom().getFieldRef().getFieldPath());
        env.put(var.getName(), "10.0.0.1");
      }
    }
    return env;
  }

  /** The server's HOCON resolved against the given environment instead of this process's. */
  private static Config configWithEnvironment(Map<String, String> env) {
    ClassLoader loader = KubernetesManifestsTest.class.getClassLoader();
    Config files =
        ConfigFactory.parseResources(loader, "application.conf")
            .withFallback(ConfigFactory.parseResources(loader, "reference.conf"));
    return ConfigFactory.parseMap(env)
        .withFallback(files)
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  private static VolumeMount mountOf(Container container, String path) {
    return container.getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
        .max(Comparator.comparingInt(m -> m.getMountPath().length()))
        .orElseThrow(() -> new AssertionError(container.getName() + ": no volume at " + path));
  }

  private static void assertWritableEmptyDir(
      PodSpec pod, Container container, String path, String what) {
    VolumeMount mount = mountOf(container, path);
    assertNotEquals(Boolean.TRUE, mount.getReadOnly(), what + " is writable");
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
    assertNotNull(volume.getEmptyDir(), what + " is on an emptyDir");
  }

  /** The uid of the Dockerfile's last USER. */
  private static long dockerfileUser() throws IOException {
    Matcher user =
        Pattern.compile("(?m)^USER\\s+(\\d+)\\s*$").matcher(Files.readString(DOCKERFILE));
    String uid = null;
    while (user.find()) {
      uid = user.group(1);
    }
    assertNotNull(uid, "the Dockerfile names its USER by number");
    return Long.parseLong(uid);
  }

  private static String dockerfileEntrypoint() throws IOException {
    Matcher entrypoint =
        Pattern.compile("(?m)^ENTRYPOINT\\s+(.*)$").matcher(Files.readString(DOCKERFILE));
    String last = null;
    while (entrypoint.find()) {
      last = entrypoint.group(1).trim();
    }
    assertNotNull(last);
    return last;
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
