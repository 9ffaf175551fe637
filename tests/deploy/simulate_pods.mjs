#!/usr/bin/env node
// A pod, simulated: runs every workload an overlay renders from the built
// image, the way the kubelet would, without a cluster.
//
// For each StatefulSet (and then the backup CronJob's job) of
// `kubectl kustomize deploy/k8s/overlays/<overlay>`:
//   - the image (an OCI layout, `make image`) is unpacked with umoci;
//   - the pod gets its own network namespace on a bridge inside a private
//     "node" namespace (nothing of the host's network is touched), an
//     /etc/hosts naming the overlay's Services, and its own mount
//     namespace: the image's root filesystem bind-mounted read-only, each
//     volume (claim templates as directories owned by root:fsGroup,
//     emptyDirs, the projected ConfigMaps and the Secrets written as files
//     at their item paths) mounted where the manifest puts it, read-only
//     where it says so;
//   - the container's exact command, args and env run inside that root,
//     as the manifest's runAsUser/runAsGroup/fsGroup, with no_new_privs;
//   - the startup probe's service on its port must answer SERVING, then
//     the readiness probe's (a gRPC health check from inside the pod);
// then the CronJob's command runs in a pod of its own and must exit 0, and
// every server gets SIGTERM and must exit 0 within its
// terminationGracePeriodSeconds. This catches wrong paths, ports, flags,
// users and missing libraries. The province overlay's Secrets are made
// here with openssl from its cert-manager Certificates (their DNS names and
// URI SANs), as cert-manager would.
//
//   node simulate_pods.mjs --repo DIR --build DIR [--overlay dev|province]
//
// Needs root (namespaces, mounts), kubectl, umoci, openssl, ip (iproute2),
// and the build's image and nq57ctl. Never skips: a missing piece fails.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function die(message) {
  console.error(`simulate_pods: ${message}`);
  process.exit(1);
}

const argv = process.argv.slice(2);
let repo = path.resolve(here, "../..");
let build = null;
let overlay = "dev";
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = argv[i].split(/=(.*)/s);
  const value = () => inline ?? argv[++i] ?? die(`${flag} needs a value`);
  if (flag === "--repo") repo = path.resolve(value());
  else if (flag === "--build") build = path.resolve(value());
  else if (flag === "--overlay") overlay = value();
  else die(`unknown argument ${argv[i]}`);
}
if (!build) die("--build DIR is required (the CMake build with the image)");
if (process.getuid() !== 0) {
  die("needs root: pods are made of namespaces and mounts (run as root)");
}
const YAML = await import(path.join(here, "node_modules/yaml/dist/index.js"))
  .catch(() => die("tests/deploy/node_modules is missing: run make deps"));

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...options });
  if (r.error) die(`${cmd}: ${r.error.message}`);
  if (r.status !== 0 && !options.allowFailure) {
    die(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr || r.stdout}`);
  }
  return r;
}
for (const tool of ["kubectl", "umoci", "openssl", "ip", "unshare", "setpriv",
  "chroot"]) {
  if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
    die(`${tool} is not installed (make deps installs what Debian has; ` +
      "kubectl: see make deps)");
  }
}
// Absolute, because the container's environment replaces PATH.
const which = (tool) => spawnSync("sh", ["-c", `command -v ${tool}`],
  { encoding: "utf8" }).stdout.trim();
const setpriv = which("setpriv");
const chroot = which("chroot");
const envTool = which("env");
const version = fs.readFileSync(path.join(repo, "VERSION"), "utf8").trim();
const layout = path.join(build, "image/oci");
const nq57ctl = path.join(build, "bin/nq57ctl");
if (!fs.existsSync(path.join(layout, "index.json"))) {
  die(`${layout} is missing: run make image`);
}

// ------------------------------------------------------------------ render
const rendered = run("kubectl", ["kustomize",
  path.join(repo, "deploy/k8s/overlays", overlay)], { maxBuffer: 64 << 20 });
const objects = YAML.parseAllDocuments(rendered.stdout)
  .map((d) => d.toJS()).filter((o) => o && o.kind);
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c]));
const statefulSets = byKind("StatefulSet");
const cronJobs = byKind("CronJob");
if (statefulSets.length === 0) die(`overlay ${overlay} renders no StatefulSet`);

// ------------------------------------------------------------------- state
const id = `${process.pid}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "nq57-pods-"));
const nodeNs = `nq57n${id}`;
const namespaces = [];
const children = [];
let failed = false;

function cleanup() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
  for (const ns of namespaces.reverse()) {
    spawnSync("ip", ["netns", "del", ns]);
  }
  if (!failed) fs.rmSync(work, { recursive: true, force: true });
  else console.error(`simulate_pods: kept ${work} (pod logs in pods/*/log)`);
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => { failed = true; process.exit(1); });
}
function fail(message) {
  failed = true;
  die(message);
}

// The image, unpacked as a runtime would.
const bundle = path.join(work, "bundle");
run("umoci", ["unpack", "--image", `${layout}:${version}`, bundle]);
const rootfs = path.join(bundle, "rootfs");
const imageConfig = JSON.parse(fs.readFileSync(path.join(bundle, "config.json"),
  "utf8"));
const imageEnv = imageConfig.process?.env ?? [];

// The node: a bridge in a namespace of its own.
run("ip", ["netns", "add", nodeNs]);
namespaces.push(nodeNs);
run("ip", ["-n", nodeNs, "link", "add", "br0", "type", "bridge"]);
run("ip", ["-n", nodeNs, "addr", "add", "10.57.0.1/24", "dev", "br0"]);
run("ip", ["-n", nodeNs, "link", "set", "br0", "up"]);

// ------------------------------------------------------------------- pods
// A pod spec and the claim templates of its StatefulSet (if any).
function podOf(workload) {
  if (workload.kind === "StatefulSet") {
    return { spec: workload.spec.template.spec,
      labels: workload.spec.template.metadata?.labels ?? {},
      claims: (workload.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name) };
  }
  const t = workload.spec.jobTemplate.spec.template;
  return { spec: t.spec, labels: t.metadata?.labels ?? {}, claims: [] };
}

const pods = [...statefulSets, ...cronJobs].map((w, i) => ({
  workload: w,
  name: w.metadata.name,
  ip: `10.57.0.${10 + i}`,
  ns: `nq57p${id}-${i}`,
  dir: path.join(work, "pods", w.metadata.name),
  ...podOf(w),
}));

// Services resolve to the pod their selector picks (client and headless),
// by short name and by the cluster names.
const hosts = ["127.0.0.1 localhost"];
for (const svc of byKind("Service")) {
  const selector = svc.spec.selector ?? {};
  const pod = pods.find((p) => Object.entries(selector)
    .every(([k, v]) => p.labels[k] === v) && p.workload.kind === "StatefulSet");
  if (!pod) continue;
  const ns = svc.metadata.namespace ?? "default";
  const n = svc.metadata.name;
  hosts.push(`${pod.ip} ${n} ${n}.${ns} ${n}.${ns}.svc ${n}.${ns}.svc.cluster.local`);
}

// What cert-manager would write for each Certificate: tls.crt, tls.key,
// ca.crt, signed by one CA made for this run.
const secrets = new Map();
const certificates = byKind("Certificate");
if (certificates.length > 0) {
  const pki = path.join(work, "pki");
  fs.mkdirSync(pki);
  run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${pki}/ca.key`,
    "-out", `${pki}/ca.crt`, "-days", "2", "-subj", "/CN=simulated cluster CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  for (const cert of certificates) {
    const name = cert.spec.secretName;
    const sans = [...(cert.spec.dnsNames ?? []).map((d) => `DNS:${d}`),
      ...(cert.spec.uris ?? []).map((u) => `URI:${u}`)].join(",");
    const key = `${pki}/${name}.key`;
    const csr = `${pki}/${name}.csr`;
    const crt = `${pki}/${name}.crt`;
    run("openssl", ["req", "-newkey", "ec", "-pkeyopt",
      "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
      "-subj", `/CN=${cert.spec.commonName ?? name}`]);
    const ext = `${pki}/${name}.ext`;
    fs.writeFileSync(ext, `subjectAltName=${sans}\n` +
      "extendedKeyUsage=serverAuth,clientAuth\n" +
      "keyUsage=critical,digitalSignature,keyEncipherment\n");
    run("openssl", ["x509", "-req", "-in", csr, "-CA", `${pki}/ca.crt`,
      "-CAkey", `${pki}/ca.key`, "-CAcreateserial", "-out", crt, "-days", "2",
      "-extfile", ext]);
    secrets.set(name, {
      "tls.crt": fs.readFileSync(crt, "utf8"),
      "tls.key": fs.readFileSync(key, "utf8"),
      "ca.crt": fs.readFileSync(`${pki}/ca.crt`, "utf8"),
    });
  }
}

// Files of a ConfigMap/Secret source, at their item paths (all keys when
// no items are named).
function sourceFiles(data, items) {
  if (!items) return Object.entries(data);
  return items.map((it) => {
    if (!(it.key in data)) fail(`key ${it.key} is not in its source`);
    return [it.path, data[it.key]];
  });
}
function configMapData(name) {
  const cm = configMaps.get(name);
  if (!cm) fail(`ConfigMap ${name} is not rendered`);
  return cm.data ?? {};
}
function secretData(name) {
  const s = secrets.get(name);
  if (!s) fail(`Secret ${name}: nothing in the overlay writes it`);
  return s;
}

// Makes the pod's volumes under its directory; returns name -> host path.
function makeVolumes(pod) {
  const fsGroup = pod.spec.securityContext?.fsGroup;
  const volumes = new Map();
  const writable = (dir) => {
    fs.mkdirSync(dir, { recursive: true });
    if (fsGroup !== undefined) {
      fs.chownSync(dir, 0, fsGroup);
      fs.chmodSync(dir, 0o2775);
    }
  };
  const write = (dir, files, mode) => {
    for (const [rel, content] of files) {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content, { mode });
      if (fsGroup !== undefined) fs.chownSync(file, 0, fsGroup);
    }
  };
  for (const claim of pod.claims) {
    const dir = path.join(pod.dir, "volumes", claim);
    writable(dir);
    volumes.set(claim, dir);
  }
  for (const v of pod.spec.volumes ?? []) {
    const dir = path.join(pod.dir, "volumes", v.name);
    if (v.emptyDir) {
      writable(dir);
      fs.chmodSync(dir, 0o1777);
    } else if (v.configMap) {
      write(dir, sourceFiles(configMapData(v.configMap.name), v.configMap.items), 0o644);
    } else if (v.secret) {
      write(dir, sourceFiles(secretData(v.secret.secretName), v.secret.items), 0o640);
    } else if (v.projected) {
      fs.mkdirSync(dir, { recursive: true });
      for (const s of v.projected.sources) {
        if (s.configMap) {
          write(dir, sourceFiles(configMapData(s.configMap.name), s.configMap.items), 0o644);
        } else if (s.secret) {
          write(dir, sourceFiles(secretData(s.secret.name), s.secret.items), 0o640);
        } else {
          fail(`${pod.name}: projected source ${Object.keys(s)} is not simulated`);
        }
      }
    } else if (v.persistentVolumeClaim) {
      writable(dir);
    } else {
      fail(`${pod.name}: volume ${v.name} (${Object.keys(v)}) is not simulated`);
    }
    volumes.set(v.name, dir);
  }
  return volumes;
}

function shellQuote(s) {
  return `'${String(s).replaceAll("'", "'\\''")}'`;
}

// Starts the pod's (only) container; resolves nothing, returns the child.
function startPod(pod) {
  const spec = pod.spec;
  if (spec.containers.length !== 1) fail(`${pod.name}: one container expected`);
  const c = spec.containers[0];
  fs.mkdirSync(pod.dir, { recursive: true });
  const volumes = makeVolumes(pod);
  const hostsFile = path.join(pod.dir, "hosts");
  fs.writeFileSync(hostsFile, hosts.join("\n") + "\n");
  // Mount points a runtime creates in the container's root.
  const root = path.join(pod.dir, "root");
  fs.mkdirSync(root);
  const mounts = [`mount --bind ${rootfs} ${root}`,
    `mount -o remount,bind,ro ${root}`,
    `mount --rbind /dev ${root}/dev`,
    `mount -t proc proc ${root}/proc`,
    `mount --bind ${hostsFile} ${root}/etc/hosts`];
  for (const dir of ["dev", "proc"]) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
  if (!fs.existsSync(path.join(rootfs, "etc/hosts"))) fs.writeFileSync(path.join(rootfs, "etc/hosts"), "");
  for (const m of c.volumeMounts ?? []) {
    if (m.subPath) fail(`${pod.name}: subPath mounts are not simulated (nor allowed)`);
    const source = volumes.get(m.name);
    if (!source) fail(`${pod.name}: mount of unknown volume ${m.name}`);
    fs.mkdirSync(path.join(rootfs, m.mountPath), { recursive: true });
    mounts.push(`mount --bind ${source} ${root}${m.mountPath}`);
    if (m.readOnly) mounts.push(`mount -o remount,bind,ro ${root}${m.mountPath}`);
  }
  const sc = { ...(spec.securityContext ?? {}), ...(c.securityContext ?? {}) };
  const uid = sc.runAsUser ?? imageConfig.process?.user?.uid ?? 0;
  const gid = sc.runAsGroup ?? imageConfig.process?.user?.gid ?? 0;
  if (sc.runAsNonRoot && uid === 0) fail(`${pod.name}: runAsNonRoot with uid 0`);
  const groups = spec.securityContext?.fsGroup ?? gid;
  const env = [...imageEnv, ...(c.env ?? []).map((e) => {
    if (e.valueFrom) fail(`${pod.name}: env ${e.name} valueFrom is not simulated`);
    return `${e.name}=${e.value ?? ""}`;
  })];
  const command = [...(c.command ?? imageConfig.process?.args ?? []), ...(c.args ?? [])];
  const script = ["set -e", ...mounts,
    `exec ${envTool} -i ${env.map(shellQuote).join(" ")} ${setpriv} --no-new-privs ` +
    `${chroot} --userspec=${uid}:${gid} --groups=${groups} ${root} ` +
    command.map(shellQuote).join(" ")].join("\n");
  fs.writeFileSync(path.join(pod.dir, "start.sh"), script + "\n");

  run("ip", ["netns", "add", pod.ns]);
  namespaces.push(pod.ns);
  const veth = `v${pod.ns.slice(-6)}`.replace(/[^a-z0-9]/g, "");
  run("ip", ["-n", nodeNs, "link", "add", veth, "type", "veth", "peer",
    "name", "eth0", "netns", pod.ns]);
  run("ip", ["-n", nodeNs, "link", "set", veth, "master", "br0", "up"]);
  run("ip", ["-n", pod.ns, "addr", "add", `${pod.ip}/24`, "dev", "eth0"]);
  run("ip", ["-n", pod.ns, "link", "set", "eth0", "up"]);
  run("ip", ["-n", pod.ns, "link", "set", "lo", "up"]);

  const log = fs.openSync(path.join(pod.dir, "log"), "w");
  const child = spawn("ip", ["netns", "exec", pod.ns, "unshare", "--mount",
    "--propagation", "private", "sh", path.join(pod.dir, "start.sh")],
  { stdio: ["ignore", log, log] });
  children.push(child);
  child.exited = new Promise((resolve) => child.on("exit",
    (code, signal) => resolve({ code, signal })));
  return child;
}

// A gRPC health check from inside the pod, as the kubelet's probe.
function probe(pod, grpcProbe, seconds) {
  const args = ["netns", "exec", pod.ns, nq57ctl,
    `--target=127.0.0.1:${grpcProbe.port}`, "health", `--wait=${seconds}`];
  if (grpcProbe.service) args.push(`--health_service=${grpcProbe.service}`);
  return spawnSync("ip", args, { encoding: "utf8" });
}

function tail(pod) {
  const text = fs.readFileSync(path.join(pod.dir, "log"), "utf8");
  return text.split("\n").slice(-15).join("\n");
}

// ------------------------------------------------------------------ the run
const servers = pods.filter((p) => p.workload.kind === "StatefulSet");
const started = new Map();
for (const pod of servers) started.set(pod, startPod(pod));

// Probes until SERVING; a pod whose process ended meanwhile (this one or
// one it depends on) fails the run at once, with its log.
async function awaitServing(pod, kind, p, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let last = null;
  while (Date.now() < deadline) {
    for (const [other, child] of started) {
      if (child.exitCode !== null || child.signalCode !== null) {
        fail(`${other.name} exited ${child.exitCode ?? child.signalCode} ` +
          `while ${pod.name}'s ${kind} waited:\n${tail(other)}`);
      }
    }
    last = probe(pod, p, 1);
    if (last.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  fail(`${pod.name}: ${kind} (port ${p.port}, service "${p.service ?? ""}") ` +
    `never SERVING:\n${last?.stdout}${last?.stderr}\n--- pod log ---\n${tail(pod)}`);
}

for (const pod of servers) {
  const c = pod.spec.containers[0];
  for (const [kind, seconds] of [["startupProbe", 60], ["readinessProbe", 120]]) {
    const p = c[kind]?.grpc;
    if (!p) fail(`${pod.name}: no gRPC ${kind}`);
    await awaitServing(pod, kind, p, seconds);
  }
  const live = c.livenessProbe?.grpc;
  if (!live || probe(pod, live, 5).status !== 0) {
    fail(`${pod.name}: liveness probe does not answer SERVING`);
  }
  console.log(`${overlay}/${pod.name}: started, ready (probes on :${c.readinessProbe.grpc.port})`);
}

// The CronJob's job, against the running servers: a new pod per attempt,
// up to backoffLimit retries, as the Job controller does.
for (const job of pods.filter((p) => p.workload.kind === "CronJob")) {
  const attempts = (job.workload.spec.jobTemplate.spec.backoffLimit ?? 6) + 1;
  let result = null;
  for (let a = 0; a < attempts; a++) {
    const pod = { ...job, ns: `${job.ns}a${a}`, dir: `${job.dir}-${a}` };
    const child = startPod(pod);
    const timeout = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const { code, signal } = await child.exited;
    clearTimeout(timeout);
    run("ip", ["netns", "del", pod.ns]);
    namespaces.splice(namespaces.indexOf(pod.ns), 1);
    result = { pod, code, signal, attempt: a + 1 };
    if (code === 0) break;
  }
  if (result.code !== 0) {
    fail(`${job.name}: the job failed ${attempts} time(s), last exit ` +
      `${result.code ?? result.signal}:\n${tail(result.pod)}`);
  }
  console.log(`${overlay}/${job.name}: the job exited 0 (attempt ` +
    `${result.attempt} of ${attempts}):\n` +
    fs.readFileSync(path.join(result.pod.dir, "log"), "utf8").trim());
}

// SIGTERM: drained and exited 0 within the grace period.
for (const pod of servers) {
  const child = started.get(pod);
  const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  const begin = Date.now();
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), grace * 1000);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  const took = ((Date.now() - begin) / 1000).toFixed(1);
  if (code !== 0) {
    fail(`${pod.name}: after SIGTERM exited ${code ?? signal} (${took} s, ` +
      `grace ${grace} s):\n${tail(pod)}`);
  }
  console.log(`${overlay}/${pod.name}: SIGTERM -> exit 0 in ${took} s (grace ${grace} s)`);
}
console.log(`simulate_pods: ${overlay}: ${servers.length} server pod(s) and ` +
  `${pods.length - servers.length} job(s) ran from the image as rendered`);
