#!/usr/bin/env node
// Renders deploy/k8s (base and every overlay) with `kubectl kustomize` and
// checks what comes out:
//   1. every object against the Kubernetes API schemas (kubernetes-models,
//      and the cert-manager and Prometheus Operator models for the CRDs),
//      with unknown fields refused as `kubectl apply --validate=strict` would
//      (strict_fields.mjs);
//   2. the promises the manifests make (restricted pods, probes on the health
//      port, volumes where the flags point, TLS from mounted Secrets, no
//      subPath, single replicas with a PDB and a headless Service, network
//      policies, certificates, the generated national --source list, ...).
//
//   node validate_manifests.mjs [--repo DIR]   validate; exit 1 on any failure
//   node validate_manifests.mjs --self-test    break rendered objects in
//       memory, one promise at a time, and check that each break is caught
//
// Needs kubectl (for kustomize) and `npm ci --prefix tests/deploy`. It never
// skips: a missing tool is a failure.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function die(message) {
  console.error(`validate_manifests: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
let repo = path.resolve(here, "../..");
let selfTest = false;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--repo") repo = path.resolve(argv[++i] ?? die("--repo needs a directory"));
  else if (argv[i].startsWith("--repo=")) repo = path.resolve(argv[i].slice(7));
  else if (argv[i] === "--self-test") selfTest = true;
  else die(`unknown argument ${argv[i]} (usage: validate_manifests.mjs [--repo DIR] [--self-test])`);
}
if (!fs.existsSync(path.join(repo, "deploy/k8s/base/kustomization.yaml"))) {
  die(`${repo} is not the nq57 repository (no deploy/k8s/base/kustomization.yaml)`);
}

// ------------------------------------------------------------- dependencies
const nodeModules = path.join(here, "node_modules");
for (const pkg of ["kubernetes-models", "@kubernetes-models/cert-manager",
  "@kubernetes-models/prometheus-operator", "yaml"]) {
  if (!fs.existsSync(path.join(nodeModules, pkg, "package.json"))) {
    die(`${path.join(nodeModules, pkg)} is missing: run make deps ` +
      `(it runs npm ci --prefix tests/deploy)`);
  }
}
const YAML = await import("yaml");
const { StrictFields } = await import("./strict_fields.mjs");

// Where the model classes (and their .d.ts) of each apiVersion live.
function modelsDir(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return path.join(nodeModules, "@kubernetes-models/prometheus-operator", group, version);
  }
  if (group === "cert-manager.io") {
    return path.join(nodeModules, "@kubernetes-models/cert-manager", group, version);
  }
  return path.join(nodeModules, "kubernetes-models", group || "", version);
}
const modelModules = new Map();
async function modelClass(apiVersion, kind) {
  const dir = modelsDir(apiVersion);
  if (!modelModules.has(dir)) {
    const file = path.join(dir, "index.js");
    modelModules.set(dir, fs.existsSync(file) ? await import(file) : null);
  }
  return modelModules.get(dir)?.[kind] ?? null;
}
const strict = new StrictFields([
  path.join(nodeModules, "kubernetes-models"),
  path.join(nodeModules, "@kubernetes-models"),
]);

// ---------------------------------------------------------------- rendering
function kustomize(dir) {
  const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.error && r.error.code === "ENOENT") {
    die("kubectl is not on PATH: it renders the manifests (kubectl kustomize), " +
      "so this test cannot run without it; install kubectl (it is never skipped)");
  }
  if (r.error) die(`kubectl kustomize ${dir}: ${r.error.message}`);
  if (r.status !== 0) die(`kubectl kustomize ${dir} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function parseDocs(text, where) {
  const objects = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) die(`${where}: YAML error: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj !== null && obj !== undefined) objects.push(obj);
  }
  return objects;
}

// ---------------------------------------------------------------- overlays
const PROVINCE_CSV = "deploy/config/units/provinces.csv";
function provinceCodes() {
  const lines = fs.readFileSync(path.join(repo, PROVINCE_CSV), "utf8").split(/\r?\n/);
  const rows = lines.filter((l) => l.trim() && !l.startsWith("#"));
  const header = rows.shift().split(",");
  const col = header.indexOf("code");
  if (col < 0) die(`${PROVINCE_CSV}: no code column`);
  return rows.map((r) => r.split(",")[col]);
}

// What each render must be. `services`: the StatefulSets it has.
const ALL_SERVICES = ["criteria", "publicservice", "eidentity", "aggregator"];
const TARGETS = [
  { name: "base", dir: "deploy/k8s/base", tls: true, namespace: null,
    services: ALL_SERVICES, components: false, tagged: false },
  { name: "province", dir: "deploy/k8s/overlays/province", tls: true, namespace: "nq57-p25",
    services: ALL_SERVICES, components: true, tagged: true, province: "provinces/25" },
  { name: "national", dir: "deploy/k8s/overlays/national", tls: true, namespace: "nq57-national",
    services: ["aggregator"], components: true, tagged: true, national: true },
  { name: "dev", dir: "deploy/k8s/overlays/dev", tls: false, namespace: "nq57-dev",
    services: ALL_SERVICES, components: false, tagged: true },
];

// ------------------------------------------------------------------ helpers
const PORTS = { criteria: 50571, publicservice: 50572, eidentity: 50573, aggregator: 50574 };
const id = (o) => `${o?.kind}/${o?.metadata?.name}`;
const clone = (x) => structuredClone(x);

function podTemplate(o) {
  switch (o.kind) {
    case "StatefulSet": case "Deployment": case "DaemonSet": case "ReplicaSet": case "Job":
      return o.spec?.template;
    case "CronJob":
      return o.spec?.jobTemplate?.spec?.template;
    case "Pod":
      return o;
    default:
      return undefined;
  }
}
function allContainers(spec) {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? [])];
}
function flagsOf(container) {
  const flags = new Map();
  for (const a of container.args ?? []) {
    const m = String(a).match(/^--([^=]+)(?:=(.*))?$/);
    if (m) flags.set(m[1], m[2] ?? true);
  }
  return flags;
}
function portOf(hostPort) {
  const m = String(hostPort).match(/:(\d+)$/);
  return m ? Number(m[1]) : null;
}
function selectorMatches(selector, labels) {
  if (!selector) return false;
  labels = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
// A Service's selector is a plain map.
const mapMatches = (sel, labels) => !!sel && Object.keys(sel).length > 0 &&
  Object.entries(sel).every(([k, v]) => labels?.[k] === v);
// The mount whose mountPath contains `p` (the longest one).
function coveringMount(container, p) {
  let best = null;
  for (const m of container.volumeMounts ?? []) {
    const mp = m.mountPath.replace(/\/+$/, "");
    if (p === mp || p.startsWith(`${mp}/`)) {
      if (!best || mp.length > best.mountPath.replace(/\/+$/, "").length) best = m;
    }
  }
  return best;
}
function configFiles() {
  const root = path.join(repo, "deploy/config");
  const out = [];
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (path.relative(root, p) !== "kustomization.yaml") out.push(path.relative(root, p));
    }
  })(root);
  return out.sort();
}

// ------------------------------------------------------------------- checks
// Each check pushes failures as {object, promise, detail}; a promise is a
// short name that the self-test matches on.
async function checkTarget(target, objects) {
  const failures = [];
  const fail = (o, promise, detail) => failures.push({ object: typeof o === "string" ? o : id(o), promise, detail });
  const byKind = (k) => objects.filter((o) => o.kind === k);
  const find = (k, n) => objects.find((o) => o.kind === k && o.metadata?.name === n);

  // 1. Schemas, and no unknown fields.
  for (const o of objects) {
    if (!o.apiVersion || !o.kind || !o.metadata?.name) {
      fail(o, "schema", "apiVersion, kind and metadata.name are required");
      continue;
    }
    const Cls = await modelClass(o.apiVersion, o.kind);
    if (!Cls) {
      fail(o, "schema", `no schema for ${o.apiVersion} ${o.kind} in the pinned model packages`);
      continue;
    }
    try {
      new Cls(clone(o)).validate();
    } catch (e) {
      fail(o, "schema", String(e.message ?? e).split("\n").slice(0, 5).join("; "));
    }
    const type = strict.topLevel(modelsDir(o.apiVersion), o.kind);
    if (!type) {
      fail(o, "schema", `no type declarations for ${o.apiVersion} ${o.kind}`);
    } else {
      const errs = [];
      strict.check(o, type, "", errs);
      for (const e of errs) fail(o, "unknown field", e);
    }
  }

  // 2. Namespaces and labels.
  if (target.namespace) {
    const ns = find("Namespace", target.namespace);
    if (!ns) fail(`Namespace/${target.namespace}`, "namespace", "the overlay must create its namespace");
    else if (ns.metadata.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted") {
      fail(ns, "namespace", "must enforce the restricted Pod Security Standard");
    }
    for (const o of objects) {
      if (o.kind === "Namespace") continue;
      if (o.metadata.namespace !== target.namespace) {
        fail(o, "namespace", `is in namespace ${o.metadata.namespace ?? "(none)"}, not ${target.namespace}`);
      }
    }
  }
  for (const o of objects) {
    if (o.metadata.labels?.["app.kubernetes.io/part-of"] !== "nq57") {
      fail(o, "labels", "app.kubernetes.io/part-of: nq57 missing");
    }
  }

  // 3. ConfigMaps keep their content hash (a config change rolls the pods).
  for (const cm of byKind("ConfigMap")) {
    if (!/-[a-z0-9]{10}$/.test(cm.metadata.name)) {
      fail(cm, "config", "generated ConfigMaps keep their name hash suffix");
    }
  }

  // 4. Every workload: restricted pods, resources, no subPath, only the
  //    volumes as writable paths, a tagged image.
  const workloads = objects.filter((o) => podTemplate(o));
  for (const w of workloads) {
    const tpl = podTemplate(w);
    const spec = tpl?.spec ?? {};
    const labels = tpl?.metadata?.labels ?? {};
    for (const l of ["app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/component"]) {
      if (!labels[l]) fail(w, "labels", `pod template label ${l} missing`);
    }
    const psc = spec.securityContext ?? {};
    if (psc.runAsNonRoot !== true) fail(w, "securityContext", "pod runAsNonRoot must be true");
    for (const f of ["runAsUser", "runAsGroup", "fsGroup"]) {
      if (psc[f] !== 10001) fail(w, "securityContext", `pod ${f} must be 10001 (the image's user)`);
    }
    if (psc.seccompProfile?.type !== "RuntimeDefault") {
      fail(w, "securityContext", "pod seccompProfile must be RuntimeDefault");
    }
    for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (spec[f]) fail(w, "securityContext", `${f} is not allowed`);
    }
    if (spec.automountServiceAccountToken !== false) {
      fail(w, "securityContext", "automountServiceAccountToken must be false (nq57 never calls the API)");
    }
    if (spec.enableServiceLinks !== false) {
      fail(w, "securityContext", "enableServiceLinks must be false (Service variables share the NQ57_ prefix)");
    }
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    const claims = new Set((w.spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name));
    for (const v of spec.volumes ?? []) {
      const types = Object.keys(v).filter((k) => k !== "name");
      const allowed = ["configMap", "secret", "projected", "emptyDir", "persistentVolumeClaim",
        "downwardAPI", "csi", "ephemeral"];
      if (!types.every((t) => allowed.includes(t))) {
        fail(w, "volume", `volume ${v.name} is of a type the restricted standard forbids (${types})`);
      }
    }
    for (const c of allContainers(spec)) {
      const where = `container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) fail(w, "securityContext", `${where}: allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true) fail(w, "readOnlyRootFilesystem", `${where}: readOnlyRootFilesystem must be true`);
      if (sc.privileged) fail(w, "securityContext", `${where}: privileged`);
      if (sc.runAsNonRoot === false || (sc.runAsUser !== undefined && sc.runAsUser !== 10001)) {
        fail(w, "securityContext", `${where}: must run as the non-root user 10001`);
      }
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(w, "capabilities", `${where}: capabilities must drop ALL`);
      if ((sc.capabilities?.add ?? []).length) fail(w, "capabilities", `${where}: adds capabilities`);
      if (sc.seccompProfile && sc.seccompProfile.type !== "RuntimeDefault") {
        fail(w, "securityContext", `${where}: seccompProfile must be RuntimeDefault`);
      }
      const r = c.resources ?? {};
      for (const q of ["cpu", "memory"]) {
        if (!r.requests?.[q]) fail(w, "resources", `${where}: requests.${q} missing`);
      }
      if (!r.limits?.memory) fail(w, "resources", `${where}: limits.memory missing`);
      if (target.tagged && !/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(c.image?.split("/").pop() ?? "")) {
        fail(w, "image", `${where}: image ${c.image} has no tag or digest`);
      }
      let tmp = false;
      for (const m of c.volumeMounts ?? []) {
        if (m.subPath !== undefined || m.subPathExpr !== undefined) {
          fail(w, "subPath", `${where}: mount ${m.mountPath} uses subPath (never updated in place)`);
        }
        const v = volumes.get(m.name);
        if (!v && !claims.has(m.name)) {
          fail(w, "volume", `${where}: mounts ${m.name}, which is no volume`);
          continue;
        }
        const writable = claims.has(m.name) || v?.emptyDir || v?.persistentVolumeClaim || v?.ephemeral;
        if (!writable && m.readOnly !== true) {
          fail(w, "volume", `${where}: ${m.mountPath} (${m.name}) must be mounted readOnly`);
        }
        if (m.mountPath === "/tmp" && v?.emptyDir) tmp = true;
      }
      if (!tmp) fail(w, "volume", `${where}: needs an emptyDir at /tmp (the root filesystem is read-only)`);
    }
  }

  // 5. The servers.
  const statefulSets = byKind("StatefulSet");
  const names = statefulSets.map((s) => s.metadata.labels?.["app.kubernetes.io/component"]).sort();
  if (JSON.stringify(names) !== JSON.stringify([...target.services].sort())) {
    fail(`${target.name}`, "services", `StatefulSets are [${names}], expected [${target.services}]`);
  }
  const files = configFiles();
  const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c]));
  for (const sts of statefulSets) {
    const component = sts.metadata.labels?.["app.kubernetes.io/component"];
    const tpl = sts.spec?.template ?? {};
    const spec = tpl.spec ?? {};
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    const claims = new Map((sts.spec?.volumeClaimTemplates ?? []).map((c) => [c.metadata?.name, c]));
    if (sts.spec?.replicas !== 1) fail(sts, "replicas", `replicas is ${sts.spec?.replicas}, must be 1 (one writer per store)`);
    if (!selectorMatches(sts.spec?.selector, tpl.metadata?.labels)) {
      fail(sts, "selector", "selector does not match the pod template labels");
    }
    for (const name of ["data", "backups"]) {
      const c = claims.get(name);
      if (!c) { fail(sts, "volumeClaimTemplates", `no volumeClaimTemplate ${name}`); continue; }
      if (!(c.spec?.accessModes ?? []).includes("ReadWriteOnce")) fail(sts, "volumeClaimTemplates", `${name} must be ReadWriteOnce`);
      if (!c.spec?.resources?.requests?.storage) fail(sts, "volumeClaimTemplates", `${name} has no storage request`);
    }
    // The headless Service and the PDB.
    const headless = find("Service", sts.spec?.serviceName);
    if (!headless) {
      fail(sts, "headless Service", `serviceName ${sts.spec?.serviceName} is not a Service of this render`);
    } else {
      if (headless.spec?.clusterIP !== "None") fail(headless, "headless Service", "clusterIP must be None");
      if (headless.spec?.publishNotReadyAddresses !== true) fail(headless, "headless Service", "publishNotReadyAddresses must be true");
      if (!mapMatches(headless.spec?.selector, tpl.metadata?.labels)) fail(headless, "headless Service", `selector does not select ${id(sts)}'s pods`);
    }
    const pdbs = byKind("PodDisruptionBudget").filter((p) => selectorMatches(p.spec?.selector, tpl.metadata?.labels));
    if (pdbs.length !== 1) fail(sts, "PodDisruptionBudget", `${pdbs.length} PodDisruptionBudgets select its pods, expected 1`);

    const servers = (spec.containers ?? []).filter((c) => /-server$/.test(c.command?.[0] ?? ""));
    if (servers.length !== 1) { fail(sts, "server", `expected one server container, found ${servers.length}`); continue; }
    const c = servers[0];
    const where = `container ${c.name}`;
    const flags = flagsOf(c);
    for (const f of ["listen", "health_listen", "metrics_listen", "data_dir", "backup_dir",
      "config_dir", "log_format", "drain_seconds"]) {
      if (!flags.has(f)) fail(sts, "flags", `${where}: --${f} missing`);
    }
    if (flags.get("log_format") !== "json") fail(sts, "flags", `${where}: --log_format must be json`);
    if (c.command[0] !== `/usr/local/bin/${component}-server`) fail(sts, "server", `${where}: runs ${c.command[0]}, expected ${component}-server`);
    // Ports.
    const cport = (n) => (c.ports ?? []).find((p) => p.containerPort === n);
    const api = portOf(flags.get("listen"));
    const health = portOf(flags.get("health_listen"));
    const metrics = portOf(flags.get("metrics_listen"));
    if (api !== PORTS[component]) fail(sts, "flags", `${where}: --listen port ${api}, expected ${PORTS[component]}`);
    for (const [n, name] of [[api, "grpc"], [health, "health"], [metrics, "metrics"]]) {
      if (cport(n)?.name !== name) fail(sts, "ports", `${where}: containerPort ${n} must be declared, named ${name}`);
    }
    // Probes: native gRPC probes on the health port.
    for (const [probe, service] of [["startupProbe", "live"], ["livenessProbe", "live"], ["readinessProbe", ""]]) {
      const p = c[probe];
      if (!p) { fail(sts, probe, `${where}: no ${probe}`); continue; }
      if (!p.grpc) { fail(sts, probe, `${where}: ${probe} must be a grpc probe`); continue; }
      if (p.grpc.port !== health) fail(sts, probe, `${where}: ${probe} probes port ${p.grpc.port}, but --health_listen is port ${health}`);
      if ((p.grpc.service ?? "") !== service) {
        fail(sts, probe, `${where}: ${probe} must ask for service "${service}", asks "${p.grpc.service ?? ""}"`);
      }
    }
    // Data and backups on their claims.
    for (const [flag, claim] of [["data_dir", "data"], ["backup_dir", "backups"]]) {
      const dir = flags.get(flag);
      if (typeof dir !== "string") continue;
      const m = coveringMount(c, dir);
      if (!m) { fail(sts, flag, `${where}: --${flag}=${dir} is on the read-only root filesystem`); continue; }
      if (m.name !== claim || !claims.has(m.name)) {
        fail(sts, flag, `${where}: --${flag}=${dir} is on volume ${m.name}, expected the volumeClaimTemplate ${claim}`);
      }
      if (flag === "data_dir" && m.mountPath !== path.posix.dirname(dir)) {
        fail(sts, flag, `${where}: the volume must be mounted at ${path.posix.dirname(dir)}, the directory containing --data_dir`);
      }
      if (flag === "backup_dir" && m.mountPath !== dir && m.mountPath !== path.posix.dirname(dir)) {
        fail(sts, flag, `${where}: the backups volume must be mounted at --backup_dir or the directory containing it`);
      }
    }
    // Config: the projected volume at --config_dir carrying every file of
    // deploy/config at its own path, with the repository's content.
    const cdir = flags.get("config_dir");
    const cm = (c.volumeMounts ?? []).find((m) => m.mountPath === cdir);
    const cv = cm && volumes.get(cm.name);
    if (!cv?.projected) {
      fail(sts, "config", `${where}: no projected volume mounted at --config_dir=${cdir}`);
    } else {
      const seen = new Map();
      for (const src of cv.projected.sources ?? []) {
        if (!src.configMap) continue;
        const map = configMaps.get(src.configMap.name);
        if (!map) { fail(sts, "config", `${where}: ConfigMap ${src.configMap.name} is not in the render (hash not applied?)`); continue; }
        if (!src.configMap.items?.length) fail(sts, "config", `${where}: ${src.configMap.name} needs items (keys cannot hold '/')`);
        for (const it of src.configMap.items ?? []) {
          if (seen.has(it.path)) fail(sts, "config", `${where}: ${it.path} is projected twice`);
          seen.set(it.path, map.data?.[it.key]);
          if (map.data?.[it.key] === undefined) fail(sts, "config", `${where}: ${src.configMap.name} has no key ${it.key}`);
        }
      }
      for (const f of files) {
        if (!seen.has(f)) { fail(sts, "config", `${where}: deploy/config/${f} does not reach ${cdir}/${f}`); continue; }
        if (seen.get(f) !== fs.readFileSync(path.join(repo, "deploy/config", f), "utf8")) {
          fail(sts, "config", `${where}: ${cdir}/${f} differs from deploy/config/${f}`);
        }
      }
      for (const p of seen.keys()) if (!files.includes(p)) fail(sts, "config", `${where}: ${p} is not a file of deploy/config`);
    }
    // TLS.
    const tlsFlags = [...flags.keys()].filter((f) => f.startsWith("tls_"));
    if (target.tls) {
      for (const f of ["tls_cert", "tls_key", "tls_client_ca", "tls_refresh_seconds"]) {
        if (!flags.has(f)) fail(sts, "TLS", `${where}: --${f} missing (mTLS is the default)`);
      }
      if (flags.has("allow_insecure")) fail(sts, "TLS", `${where}: --allow_insecure with mTLS`);
      for (const f of ["tls_cert", "tls_key", "tls_client_ca", "tls_ca"]) {
        const p = flags.get(f);
        if (typeof p !== "string") continue;
        const m = coveringMount(c, p);
        const v = m && volumes.get(m.name);
        if (!v?.secret) { fail(sts, "TLS", `${where}: --${f}=${p} is not in a mounted Secret`); continue; }
        if (m.mountPath !== path.posix.dirname(p)) fail(sts, "TLS", `${where}: --${f}: mount the Secret's whole directory at ${path.posix.dirname(p)}`);
        if (v.secret.secretName !== `nq57-${component}-tls`) fail(sts, "TLS", `${where}: --${f} is in Secret ${v.secret.secretName}, expected nq57-${component}-tls`);
        const key = path.posix.basename(p);
        if (v.secret.items && !v.secret.items.some((i) => i.path === key)) fail(sts, "TLS", `${where}: Secret volume does not project ${key}`);
        if (!["tls.crt", "tls.key", "ca.crt"].includes(key)) fail(sts, "TLS", `${where}: --${f} names ${key}, not a key cert-manager writes`);
      }
    } else {
      if (tlsFlags.length) fail(sts, "TLS", `${where}: dev has no TLS, but --${tlsFlags.join(", --")} set`);
      if (flags.get("allow_insecure") !== true) fail(sts, "TLS", `${where}: --allow_insecure is required without mTLS`);
      if ((spec.volumes ?? []).some((v) => v.secret)) fail(sts, "TLS", `${where}: a Secret volume without TLS`);
    }
    // Draining.
    const drain = Number(flags.get("drain_seconds"));
    if (!(spec.terminationGracePeriodSeconds > drain)) {
      fail(sts, "terminationGracePeriodSeconds", `${spec.terminationGracePeriodSeconds} must be set and exceed --drain_seconds=${drain}`);
    }
    // The province.
    if (target.province) {
      const env = (c.env ?? []).find((e) => e.name === "NQ57_PROVINCE");
      if (env?.value !== target.province) fail(sts, "province", `${where}: NQ57_PROVINCE must be ${target.province}`);
    } else if ((c.env ?? []).some((e) => e.name === "NQ57_PROVINCE") || flags.has("province")) {
      fail(sts, "province", `${where}: this render serves the whole country, but sets a province`);
    }
    // The client Service.
    const client = find("Service", `nq57-${component}`);
    if (!client) {
      fail(sts, "client Service", `no Service nq57-${component}`);
    } else {
      if (!mapMatches(client.spec?.selector, tpl.metadata?.labels)) fail(client, "client Service", `selector does not select ${id(sts)}'s pods`);
      const g = (client.spec?.ports ?? []).find((p) => p.name === "grpc");
      if (!g || g.port !== api || g.appProtocol !== "grpc") fail(client, "client Service", `needs port grpc ${api} with appProtocol grpc`);
      const mp = (client.spec?.ports ?? []).find((p) => p.name === "metrics");
      if (!mp || mp.port !== metrics) fail(client, "client Service", `needs port metrics ${metrics}`);
    }
    // The aggregator's sources.
    if (component === "aggregator") {
      const src = String(flags.get("source") ?? "");
      const entries = src ? src.split(",") : [];
      if (!entries.length) fail(sts, "--source", `${where}: --source missing`);
      const parsed = entries.map((e) => e.match(/^([\w-]+)=(criteria|publicservice|eidentity|aggregator)@([\w.-]+):(\d+)$/));
      entries.forEach((e, i) => { if (!parsed[i]) fail(sts, "--source", `${where}: bad source ${e} (name=kind@host:port)`); });
      if (target.national) {
        const expected = provinceCodes().map((code) =>
          `p${code}=aggregator@nq57-aggregator.nq57-p${code}.svc.cluster.local:50574`);
        if (entries.join(",") !== expected.join(",")) {
          const missing = expected.filter((e) => !entries.includes(e));
          const extra = entries.filter((e) => !expected.includes(e));
          fail(sts, "--source", `${where}: must list the ${expected.length} provinces of ${PROVINCE_CSV} in order` +
            (missing.length ? `; missing ${missing.join(" ")}` : "") + (extra.length ? `; unexpected ${extra.join(" ")}` : ""));
        }
      } else {
        for (const kind of ["criteria", "publicservice", "eidentity"]) {
          const p = parsed.find((x) => x && x[2] === kind);
          if (!p) { fail(sts, "--source", `${where}: no ${kind} source`); continue; }
          const svc = find("Service", p[3]);
          if (!svc || !(svc.spec?.ports ?? []).some((sp) => sp.port === Number(p[4]))) {
            fail(sts, "--source", `${where}: ${kind} source ${p[3]}:${p[4]} is no Service port of this render`);
          }
        }
      }
    }
  }
  if (target.national) {
    const script = path.join(repo, "deploy/k8s/overlays/national/gen-sources.sh");
    const r = spawnSync("sh", [script, "--stdout"], { encoding: "utf8" });
    const committed = fs.readFileSync(path.join(repo, "deploy/k8s/overlays/national/aggregator-sources.yaml"), "utf8");
    checkGenerated(committed, r.status === 0 ? r.stdout : null, r.stderr, fail);
  }

  // 6. Services select something, and name real container ports.
  const podTemplates = workloads.map((w) => podTemplate(w));
  for (const svc of byKind("Service")) {
    const pods = podTemplates.filter((t) => mapMatches(svc.spec?.selector, t?.metadata?.labels));
    if (!pods.length) { fail(svc, "Service", "its selector selects no pod of this render"); continue; }
    for (const p of svc.spec?.ports ?? []) {
      if (typeof p.targetPort === "string" &&
        !pods.some((t) => allContainers(t.spec).some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)))) {
        fail(svc, "Service", `targetPort ${p.targetPort} is no named container port`);
      }
    }
  }

  // 7. The backup CronJob.
  const backup = find("CronJob", "nq57-backup");
  if (!backup) {
    fail(`CronJob/nq57-backup`, "backup", "missing");
  } else {
    if (backup.spec?.timeZone !== "Asia/Ho_Chi_Minh") fail(backup, "timeZone", "timeZone must be Asia/Ho_Chi_Minh");
    if (backup.spec?.schedule !== "0 2 * * *") fail(backup, "backup", "schedule must be 0 2 * * * (02:00)");
    if (backup.spec?.concurrencyPolicy !== "Forbid") fail(backup, "backup", "concurrencyPolicy must be Forbid");
    const tpl = podTemplate(backup);
    if (tpl?.metadata?.labels?.["app.kubernetes.io/component"] !== "backup") fail(backup, "backup", "pods must be labelled component=backup (the NetworkPolicies admit that)");
    const c = tpl?.spec?.containers?.[0] ?? {};
    const flags = flagsOf(c);
    if (c.command?.[0] !== "/usr/local/bin/nq57ctl" || c.args?.[0] !== "backup") fail(backup, "backup", "must run nq57ctl backup");
    const expected = target.services;
    for (const s of ALL_SERVICES) {
      const a = flags.get(s);
      if (!expected.includes(s)) {
        if (a !== undefined) fail(backup, "backup", `--${s} names a service this render does not have`);
        continue;
      }
      if (a !== `nq57-${s}:${PORTS[s]}`) fail(backup, "backup", `--${s} must be nq57-${s}:${PORTS[s]}`);
    }
    const vols = new Map((tpl?.spec?.volumes ?? []).map((v) => [v.name, v]));
    if (target.tls) {
      for (const f of ["tls_ca", "tls_cert", "tls_key"]) {
        const p = flags.get(f);
        if (typeof p !== "string") { fail(backup, "TLS", `--${f} missing`); continue; }
        const m = coveringMount(c, p);
        const v = m && vols.get(m.name);
        if (!v?.secret || v.secret.secretName !== "nq57-operator-tls") fail(backup, "TLS", `--${f}=${p} is not in the mounted Secret nq57-operator-tls`);
        else if (m.mountPath !== path.posix.dirname(p)) fail(backup, "TLS", `--${f}: mount the Secret's whole directory`);
      }
    } else {
      const t = [...flags.keys()].filter((f) => f.startsWith("tls_"));
      if (t.length) fail(backup, "TLS", `dev has no TLS, but --${t.join(", --")} set`);
      if ([...vols.values()].some((v) => v.secret)) fail(backup, "TLS", "a Secret volume without TLS");
    }
  }

  // 8. NetworkPolicies.
  const policies = byKind("NetworkPolicy");
  const nq57Pods = podTemplates.filter((t) => t?.metadata?.labels?.["app.kubernetes.io/part-of"] === "nq57");
  const denyAll = policies.find((p) => (p.spec?.policyTypes ?? []).includes("Ingress") && !(p.spec?.ingress ?? []).length &&
    nq57Pods.every((t) => selectorMatches(p.spec?.podSelector, t.metadata.labels)));
  if (!denyAll) fail(`${target.name}`, "NetworkPolicy", "no default-deny ingress policy selecting every nq57 pod");
  for (const p of policies) {
    for (const [i, rule] of (p.spec?.ingress ?? []).entries()) {
      if (!rule.from?.length) fail(p, "NetworkPolicy", `ingress[${i}] has no "from": it admits every source`);
      if (!rule.ports?.length) fail(p, "NetworkPolicy", `ingress[${i}] has no "ports": it opens every port`);
      for (const peer of rule.from ?? []) {
        if (peer.ipBlock) fail(p, "NetworkPolicy", `ingress[${i}] admits an ipBlock`);
        if (peer.podSelector && !Object.keys(peer.podSelector.matchLabels ?? {}).length && !peer.podSelector.matchExpressions?.length) {
          fail(p, "NetworkPolicy", `ingress[${i}] admits every pod`);
        }
        if (peer.namespaceSelector && !peer.namespaceSelector.matchLabels?.["nq57.vn/role"]) {
          fail(p, "NetworkPolicy", `ingress[${i}] admits namespaces not chosen by nq57.vn/role`);
        }
      }
    }
  }
  const backupLabels = backup ? podTemplate(backup)?.metadata?.labels : null;
  const aggregatorSts = statefulSets.find((s) => s.metadata.labels?.["app.kubernetes.io/component"] === "aggregator");
  const aggregatorLabels = aggregatorSts?.spec?.template?.metadata?.labels;
  for (const sts of statefulSets) {
    const component = sts.metadata.labels?.["app.kubernetes.io/component"];
    const labels = sts.spec?.template?.metadata?.labels;
    const c = (sts.spec?.template?.spec?.containers ?? [])[0] ?? {};
    const flags = flagsOf(c);
    const api = portOf(flags.get("listen"));
    const metrics = portOf(flags.get("metrics_listen"));
    const named = (port) => (typeof port === "string" ? (c.ports ?? []).find((cp) => cp.name === port)?.containerPort : port);
    const open = new Map(); // port -> peers
    for (const p of policies.filter((x) => selectorMatches(x.spec?.podSelector, labels))) {
      for (const rule of p.spec?.ingress ?? []) {
        for (const port of rule.ports ?? []) {
          const n = named(port.port);
          if (!open.has(n)) open.set(n, []);
          open.get(n).push(...(rule.from ?? []));
        }
      }
    }
    for (const port of open.keys()) {
      if (port !== api && port !== metrics) fail(sts, "NetworkPolicy", `port ${port} is opened; only the API (${api}) and metrics (${metrics}) ports may be`);
    }
    const apiPeers = open.get(api) ?? [];
    const nsRole = (peer) => (peer.namespaceSelector && !peer.podSelector ? peer.namespaceSelector.matchLabels?.["nq57.vn/role"] : undefined);
    const fromPod = (peer, l) => !peer.namespaceSelector && peer.podSelector && l && selectorMatches(peer.podSelector, l);
    const roles = component === "aggregator"
      ? ["integration-platform", "feed-reader", ...(target.national ? [] : ["national-aggregator"])]
      : ["integration-platform"];
    for (const role of roles) {
      if (!apiPeers.some((peer) => nsRole(peer) === role)) fail(sts, "NetworkPolicy", `API port ${api} not open to namespaces labelled nq57.vn/role=${role}`);
    }
    for (const peer of apiPeers) {
      const role = nsRole(peer);
      if (role !== undefined && !roles.includes(role)) fail(sts, "NetworkPolicy", `API port ${api} open to namespaces labelled nq57.vn/role=${role}`);
      if (peer.namespaceSelector && peer.podSelector) fail(sts, "NetworkPolicy", `API port ${api}: unexpected namespace+pod peer`);
    }
    if (backupLabels && !apiPeers.some((peer) => fromPod(peer, backupLabels))) fail(sts, "NetworkPolicy", `API port ${api} not open to the backup job's pods`);
    if (component !== "aggregator" && aggregatorLabels && !apiPeers.some((peer) => fromPod(peer, aggregatorLabels))) {
      fail(sts, "NetworkPolicy", `API port ${api} (the change feed) not open to the aggregator's pods`);
    }
    const metricsPeers = open.get(metrics) ?? [];
    if (!metricsPeers.length) fail(sts, "metrics", `metrics port ${metrics} not open to the monitoring namespace`);
    for (const peer of metricsPeers) {
      if (nsRole(peer) !== "monitoring") fail(sts, "metrics", `metrics port ${metrics} open to something other than namespaces labelled nq57.vn/role=monitoring`);
    }
    if (target.national && component === "aggregator") {
      const egress = policies.filter((x) => selectorMatches(x.spec?.podSelector, labels) && (x.spec?.policyTypes ?? []).includes("Egress"));
      const rules = egress.flatMap((x) => x.spec?.egress ?? []);
      const toProvinces = rules.some((r) => (r.ports ?? []).some((p) => p.port === 50574) &&
        (r.to ?? []).some((t) => t.namespaceSelector?.matchLabels?.["nq57.vn/role"] === "province" && selectorMatches(t.podSelector, aggregatorLabels)));
      const dns = rules.some((r) => (r.ports ?? []).some((p) => p.port === 53));
      if (!egress.length || !toProvinces || !dns) fail(sts, "NetworkPolicy", "the national aggregator's egress must allow the provincial aggregators (port 50574) and DNS, and nothing else");
      for (const r of rules) if (!r.to?.length || !r.ports?.length) fail(sts, "NetworkPolicy", "an egress rule without to or ports opens everything");
    }
  }

  // 9. Certificates (components/cert-manager).
  const certs = byKind("Certificate");
  if (target.components && target.tls) {
    const secrets = new Set(workloads.flatMap((w) => (podTemplate(w)?.spec?.volumes ?? []).filter((v) => v.secret).map((v) => v.secret.secretName)));
    for (const s of secrets) {
      if (!certs.some((c) => c.spec?.secretName === s)) fail(`Secret/${s}`, "Certificate", "no Certificate writes this Secret");
    }
    for (const c of certs) {
      if (!secrets.has(c.spec?.secretName)) fail(c, "Certificate", `writes ${c.spec?.secretName}, which no pod mounts`);
      const ref = c.spec?.issuerRef ?? {};
      if (ref.name !== "nq57-ca" || ref.kind !== "ClusterIssuer") fail(c, "Certificate", "issuerRef must be the ClusterIssuer nq57-ca");
      const component = c.metadata.labels?.["app.kubernetes.io/component"];
      const usages = c.spec?.usages ?? [];
      if (c.spec?.secretName === "nq57-operator-tls") {
        if (JSON.stringify(c.spec?.uris) !== JSON.stringify(["spiffe://nq57.local/nq57ctl"])) fail(c, "Certificate", "URI SAN must be spiffe://nq57.local/nq57ctl");
        if (!usages.includes("client auth")) fail(c, "Certificate", "usages must include client auth");
        continue;
      }
      if (c.spec?.secretName !== `nq57-${component}-tls`) fail(c, "Certificate", `secretName must be nq57-${component}-tls`);
      if (JSON.stringify(c.spec?.uris) !== JSON.stringify([`spiffe://nq57.local/${component}`])) fail(c, "Certificate", `URI SAN must be spiffe://nq57.local/${component}`);
      for (const u of ["server auth", "client auth"]) if (!usages.includes(u)) fail(c, "Certificate", `usages must include ${u}`);
      const dns = c.spec?.dnsNames ?? [];
      const want = [`nq57-${component}`, `nq57-${component}-headless`];
      if (target.namespace) want.push(`nq57-${component}.${target.namespace}.svc`, `nq57-${component}.${target.namespace}.svc.cluster.local`);
      for (const d of want) if (!dns.includes(d)) fail(c, "Certificate", `dnsNames must include ${d}`);
    }
  } else if (certs.length) {
    fail(`${target.name}`, "Certificate", "this render has no cert-manager component, but has Certificates");
  }

  // 10. Prometheus (components/prometheus).
  const monitors = byKind("ServiceMonitor");
  if (target.components) {
    for (const svc of byKind("Service").filter((s) => (s.spec?.ports ?? []).some((p) => p.name === "metrics"))) {
      const m = monitors.filter((sm) => selectorMatches(sm.spec?.selector, svc.metadata.labels));
      if (m.length !== 1 || !(m[0].spec?.endpoints ?? []).some((e) => e.port === "metrics")) {
        fail(svc, "ServiceMonitor", `${m.length} ServiceMonitors scrape its metrics port, expected 1`);
      }
    }
    for (const sm of monitors) {
      const hits = byKind("Service").filter((s) => selectorMatches(sm.spec?.selector, s.metadata.labels));
      if (hits.length !== 1) fail(sm, "ServiceMonitor", `selects ${hits.length} Services, expected exactly the client Service`);
    }
    for (const sts of statefulSets) {
      const a = sts.spec?.template?.metadata?.annotations ?? {};
      const metrics = portOf(flagsOf(sts.spec.template.spec.containers[0]).get("metrics_listen"));
      if (a["prometheus.io/scrape"] !== "true" || a["prometheus.io/port"] !== String(metrics)) {
        fail(sts, "metrics", `pod annotations prometheus.io/scrape "true" and prometheus.io/port "${metrics}" missing`);
      }
    }
  } else if (monitors.length) {
    fail(`${target.name}`, "ServiceMonitor", "this render has no prometheus component, but has ServiceMonitors");
  }
  return failures;
}

// The committed national patch must be exactly what gen-sources.sh writes.
function checkGenerated(committed, generated, stderr, fail) {
  const where = "deploy/k8s/overlays/national/aggregator-sources.yaml";
  if (generated === null) fail(where, "generated", `gen-sources.sh failed: ${stderr}`);
  else if (generated !== committed) {
    fail(where, "generated", "differs from the output of gen-sources.sh: run deploy/k8s/overlays/national/gen-sources.sh and commit");
  }
}

function counts(objects) {
  const m = new Map();
  for (const o of objects) m.set(o.kind, (m.get(o.kind) ?? 0) + 1);
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

// ----------------------------------------------------------------- run
const rendered = new Map();
for (const t of TARGETS) {
  rendered.set(t.name, parseDocs(kustomize(path.join(repo, t.dir)), t.dir));
}

if (!selfTest) {
  let passed = 0;
  let failed = 0;
  for (const t of TARGETS) {
    const objects = rendered.get(t.name);
    const failures = await checkTarget(t, objects);
    console.log(`${t.name} (${t.dir}): ${objects.length} objects`);
    for (const [kind, n] of counts(objects)) console.log(`  ${kind.padEnd(20)} ${n}`);
    for (const f of failures) console.log(`  FAIL ${f.object}: ${f.promise}: ${f.detail}`);
    console.log(`  ${failures.length ? `FAILED (${failures.length} broken promises)` : "ok"}`);
    if (failures.length) failed++; else passed++;
  }
  console.log(`k8s_manifests: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// ------------------------------------------------------------- self-test
// Each case breaks one promise in a copy of a rendered overlay; the checks
// must report that promise for that object.
const server = (objs, component) => objs.find((o) => o.kind === "StatefulSet" &&
  o.metadata.labels["app.kubernetes.io/component"] === component);
const container = (objs, component) => server(objs, component).spec.template.spec.containers[0];
const setArg = (c, flag, value) => {
  const i = c.args.findIndex((a) => a.startsWith(`--${flag}=`) || a === `--${flag}`);
  if (value === undefined) c.args.splice(i, 1);
  else if (i < 0) c.args.push(`--${flag}=${value}`);
  else c.args[i] = `--${flag}=${value}`;
};
const CASES = [
  ["province", "readinessProbe dropped", "StatefulSet/nq57-criteria", "readinessProbe",
    (o) => { delete container(o, "criteria").readinessProbe; }],
  ["province", "startupProbe dropped", "StatefulSet/nq57-aggregator", "startupProbe",
    (o) => { delete container(o, "aggregator").startupProbe; }],
  ["province", "liveness probe on the API port", "StatefulSet/nq57-eidentity", "livenessProbe",
    (o) => { container(o, "eidentity").livenessProbe.grpc.port = 50573; }],
  ["province", "liveness asks the overall service", "StatefulSet/nq57-aggregator", "livenessProbe",
    (o) => { delete container(o, "aggregator").livenessProbe.grpc.service; }],
  ["province", "probe not gRPC", "StatefulSet/nq57-publicservice", "readinessProbe",
    (o) => { container(o, "publicservice").readinessProbe = { tcpSocket: { port: 8081 } }; }],
  ["province", "subPath mount", "StatefulSet/nq57-aggregator", "subPath",
    (o) => { container(o, "aggregator").volumeMounts.find((m) => m.name === "tls").subPath = "tls.crt"; }],
  ["province", "subPath in the backup job", "CronJob/nq57-backup", "subPath",
    (o) => { o.find((x) => x.kind === "CronJob").spec.jobTemplate.spec.template.spec.containers[0].volumeMounts[0].subPath = "ca.crt"; }],
  ["province", "readOnlyRootFilesystem removed", "StatefulSet/nq57-eidentity", "readOnlyRootFilesystem",
    (o) => { delete container(o, "eidentity").securityContext.readOnlyRootFilesystem; }],
  ["dev", "readOnlyRootFilesystem false in the backup job", "CronJob/nq57-backup", "readOnlyRootFilesystem",
    (o) => { o.find((x) => x.kind === "CronJob").spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; }],
  ["province", "pod may run as root", "StatefulSet/nq57-criteria", "securityContext",
    (o) => { delete server(o, "criteria").spec.template.spec.securityContext.runAsNonRoot; }],
  ["province", "no seccomp profile", "CronJob/nq57-backup", "securityContext",
    (o) => { delete o.find((x) => x.kind === "CronJob").spec.jobTemplate.spec.template.spec.securityContext.seccompProfile; }],
  ["province", "capability added", "StatefulSet/nq57-criteria", "capabilities",
    (o) => { container(o, "criteria").securityContext.capabilities.add = ["NET_ADMIN"]; }],
  ["province", "memory limit dropped", "StatefulSet/nq57-aggregator", "resources",
    (o) => { delete container(o, "aggregator").resources.limits; }],
  ["province", "hostPath volume", "StatefulSet/nq57-criteria", "volume",
    (o) => { server(o, "criteria").spec.template.spec.volumes.push({ name: "host", hostPath: { path: "/" } }); }],
  ["province", "writable Secret mount", "StatefulSet/nq57-criteria", "volume",
    (o) => { delete container(o, "criteria").volumeMounts.find((m) => m.name === "tls").readOnly; }],
  ["province", "replicas 2", "StatefulSet/nq57-criteria", "replicas",
    (o) => { server(o, "criteria").spec.replicas = 2; }],
  ["province", "grace period not longer than the drain", "StatefulSet/nq57-publicservice", "terminationGracePeriodSeconds",
    (o) => { server(o, "publicservice").spec.template.spec.terminationGracePeriodSeconds = 10; }],
  ["province", "PDB removed", "StatefulSet/nq57-eidentity", "PodDisruptionBudget",
    (o) => { o.splice(o.findIndex((x) => x.kind === "PodDisruptionBudget" && x.metadata.name === "nq57-eidentity"), 1); }],
  ["province", "headless Service removed", "StatefulSet/nq57-publicservice", "headless Service",
    (o) => { o.splice(o.findIndex((x) => x.kind === "Service" && x.metadata.name === "nq57-publicservice-headless"), 1); }],
  ["province", "headless Service hides unready pods", "Service/nq57-criteria-headless", "headless Service",
    (o) => { delete o.find((x) => x.metadata.name === "nq57-criteria-headless").spec.publishNotReadyAddresses; }],
  ["province", "data_dir on the root filesystem", "StatefulSet/nq57-criteria", "data_dir",
    (o) => { setArg(container(o, "criteria"), "data_dir", "/srv/nq57/data"); }],
  ["province", "data_dir on the backups volume", "StatefulSet/nq57-aggregator", "data_dir",
    (o) => { setArg(container(o, "aggregator"), "data_dir", "/var/lib/nq57-backups/data"); }],
  ["province", "backup_dir in /tmp", "StatefulSet/nq57-eidentity", "backup_dir",
    (o) => { setArg(container(o, "eidentity"), "backup_dir", "/tmp/backups"); }],
  ["province", "a config file not projected", "StatefulSet/nq57-criteria", "config",
    (o) => { const src = server(o, "criteria").spec.template.spec.volumes.find((v) => v.name === "config").projected.sources;
      const units = src.find((s) => s.configMap.name.startsWith("nq57-config-units"));
      units.configMap.items = units.configMap.items.filter((i) => i.key !== "communes.csv"); }],
  ["province", "config projected to the wrong path", "StatefulSet/nq57-eidentity", "config",
    (o) => { server(o, "eidentity").spec.template.spec.volumes.find((v) => v.name === "config").projected.sources[0].configMap.items[0].path = "access.textproto"; }],
  ["province", "config_dir not mounted", "StatefulSet/nq57-aggregator", "config",
    (o) => { setArg(container(o, "aggregator"), "config_dir", "/etc/nq57/other"); }],
  ["province", "ConfigMap reference without its hash", "StatefulSet/nq57-publicservice", "config",
    (o) => { server(o, "publicservice").spec.template.spec.volumes.find((v) => v.name === "config").projected.sources[0].configMap.name = "nq57-config-access"; }],
  ["province", "TLS key outside the Secret", "StatefulSet/nq57-criteria", "TLS",
    (o) => { setArg(container(o, "criteria"), "tls_key", "/tmp/tls.key"); }],
  ["province", "TLS from another service's Secret", "StatefulSet/nq57-eidentity", "TLS",
    (o) => { server(o, "eidentity").spec.template.spec.volumes.find((v) => v.name === "tls").secret.secretName = "nq57-criteria-tls"; }],
  ["province", "mTLS client CA dropped", "StatefulSet/nq57-aggregator", "TLS",
    (o) => { setArg(container(o, "aggregator"), "tls_client_ca"); }],
  ["dev", "a TLS flag in dev", "StatefulSet/nq57-criteria", "TLS",
    (o) => { container(o, "criteria").args.push("--tls_cert=/etc/nq57/tls/tls.crt"); }],
  ["dev", "--allow_insecure dropped in dev", "StatefulSet/nq57-aggregator", "TLS",
    (o) => { setArg(container(o, "aggregator"), "allow_insecure"); }],
  ["province", "province env dropped", "StatefulSet/nq57-publicservice", "province",
    (o) => { container(o, "publicservice").env = []; }],
  ["province", "image without tag", "StatefulSet/nq57-criteria", "image",
    (o) => { container(o, "criteria").image = "registry.example.gov.vn/nq57"; }],
  ["province", "misspelt field", "StatefulSet/nq57-criteria", "unknown field",
    (o) => { container(o, "criteria").securityContext.readOnlyRootFileSystem = true; }],
  ["province", "misspelt field in a CRD", "Certificate/nq57-aggregator", "unknown field",
    (o) => { o.find((x) => x.kind === "Certificate" && x.metadata.name === "nq57-aggregator").spec.dnsName = ["x"]; }],
  ["province", "schema violation", "StatefulSet/nq57-aggregator", "schema",
    (o) => { container(o, "aggregator").ports[0].containerPort = "grpc"; }],
  ["province", "schema violation in a CRD", "Certificate/nq57-criteria", "schema",
    (o) => { o.find((x) => x.kind === "Certificate" && x.metadata.name === "nq57-criteria").spec.usages.push("sever auth"); }],
  ["province", "network policy admits everyone", "NetworkPolicy/nq57-criteria", "NetworkPolicy",
    (o) => { delete o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "nq57-criteria").spec.ingress[0].from; }],
  ["province", "health port opened", "StatefulSet/nq57-eidentity", "NetworkPolicy",
    (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "nq57-eidentity").spec.ingress[0].ports.push({ port: 8081, protocol: "TCP" }); }],
  ["province", "aggregator cut off from a change feed", "StatefulSet/nq57-publicservice", "NetworkPolicy",
    (o) => { const r = o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "nq57-publicservice").spec.ingress[0];
      r.from = r.from.filter((p) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"] !== "aggregator"); }],
  ["province", "metrics open to the platform", "StatefulSet/nq57-aggregator", "metrics",
    (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "nq57-aggregator").spec.ingress[1].from.push({ namespaceSelector: { matchLabels: { "nq57.vn/role": "integration-platform" } } }); }],
  ["province", "default deny removed", "province", "NetworkPolicy",
    (o) => { o.splice(o.findIndex((x) => x.metadata.name === "nq57-default-deny-ingress"), 1); }],
  ["province", "Certificate for a Secret removed", "Secret/nq57-operator-tls", "Certificate",
    (o) => { o.splice(o.findIndex((x) => x.kind === "Certificate" && x.metadata.name === "nq57-operator"), 1); }],
  ["province", "Certificate without the namespaced DNS name", "Certificate/nq57-aggregator", "Certificate",
    (o) => { const c = o.find((x) => x.kind === "Certificate" && x.metadata.name === "nq57-aggregator"); c.spec.dnsNames = c.spec.dnsNames.slice(0, 3); }],
  ["province", "ServiceMonitor removed", "Service/nq57-criteria", "ServiceMonitor",
    (o) => { o.splice(o.findIndex((x) => x.kind === "ServiceMonitor" && x.metadata.name === "nq57-criteria"), 1); }],
  ["province", "backup job without timeZone", "CronJob/nq57-backup", "timeZone",
    (o) => { delete o.find((x) => x.kind === "CronJob").spec.timeZone; }],
  ["national", "a province missing from --source", "StatefulSet/nq57-aggregator", "--source",
    (o) => { const c = container(o, "aggregator"); const i = c.args.findIndex((a) => a.startsWith("--source="));
      c.args[i] = c.args[i].replace(/,p25=[^,]*/, ""); }],
  ["province", "aggregator source that is no Service", "StatefulSet/nq57-aggregator", "--source",
    (o) => { setArg(container(o, "aggregator"), "source", "criteria=criteria@nq57-criteria:1,publicservice=publicservice@nq57-publicservice:50572,eidentity=eidentity@nq57-eidentity:50573"); }],
  ["national", "national aggregator egress opened to all", "StatefulSet/nq57-aggregator", "NetworkPolicy",
    (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "nq57-aggregator").spec.egress.push({}); }],
  ["province", "misspelt Service field", "Service/nq57-eidentity-headless", "unknown field",
    (o) => { const h = o.find((x) => x.metadata.name === "nq57-eidentity-headless"); h.spec.publishNotReadyAddress = true; }],
  ["province", "backup jobs may overlap", "CronJob/nq57-backup", "backup",
    (o) => { o.find((x) => x.kind === "CronJob").spec.concurrencyPolicy = "Allow"; }],
  ["province", "config drifted from deploy/config", "StatefulSet/nq57-criteria", "config",
    (o) => { const cm = o.find((x) => x.kind === "ConfigMap" && x.metadata.name.startsWith("nq57-config-labels")); cm.data["criteria.csv"] += "x"; }],
  ["national", "a data service in the national namespace", "national", "services",
    (o) => { o.push(clone(server(rendered.get("province"), "criteria"))); }],
  ["national", "backup asks for a service that is not there", "CronJob/nq57-backup", "backup",
    (o) => { o.find((x) => x.kind === "CronJob").spec.jobTemplate.spec.template.spec.containers[0].args.push("--criteria=nq57-criteria:50571"); }],
];

let passed = 0;
let failed = 0;
for (const t of TARGETS) {
  const failures = await checkTarget(t, rendered.get(t.name));
  if (failures.length) {
    failed++;
    console.log(`FAIL baseline ${t.name}: the unbroken render must pass first:`);
    for (const f of failures) console.log(`  ${f.object}: ${f.promise}: ${f.detail}`);
  } else {
    passed++;
    console.log(`ok   baseline ${t.name} passes`);
  }
}
for (const [overlay, what, object, promise, mutate] of CASES) {
  const target = TARGETS.find((t) => t.name === overlay);
  const objects = clone(rendered.get(overlay));
  mutate(objects);
  const failures = await checkTarget(target, objects);
  const hit = failures.find((f) => f.object === object && f.promise === promise);
  if (hit) {
    passed++;
    console.log(`ok   ${overlay}: ${what}: caught (${hit.object}: ${hit.promise}: ${hit.detail})`);
  } else {
    failed++;
    console.log(`FAIL ${overlay}: ${what}: expected "${object}: ${promise}", got ${failures.length ? failures.map((f) => `"${f.object}: ${f.promise}"`).join(", ") : "no failure"}`);
  }
}
// The generated-patch comparison, on edited copies of the committed file.
{
  const committed = fs.readFileSync(path.join(repo, "deploy/k8s/overlays/national/aggregator-sources.yaml"), "utf8");
  for (const [what, text] of [["hand-edited national patch", committed.replace(/,p25=[^,\n]*/, "")],
    ["generator failing", null]]) {
    const got = [];
    checkGenerated(text ?? committed, text === null ? null : committed, "simulated", (o, promise) => got.push(promise));
    if (got.includes("generated")) { passed++; console.log(`ok   national: ${what}: caught`); }
    else { failed++; console.log(`FAIL national: ${what}: not caught`); }
  }
}
console.log(`k8s_manifests_self_test: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
