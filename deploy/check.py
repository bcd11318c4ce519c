#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""deploy/check.py MANIFEST [options]: check pcf's DaemonSet without kubectl.

Reads the ConfigMap and the DaemonSet of MANIFEST (deploy/pcf-daemonset.yaml)
and says what is wrong, if anything (exit 1), as a cluster would run it:
  - host networking; one container running the image with
    `pcfd -f -c /etc/pcf/pcfd.conf`;
  - not privileged, no privilege escalation, every capability dropped but
    exactly those systemd/pcf.service grants (CapabilityBoundingSet=);
  - the host's /sys/fs/bpf mounted at /sys/fs/bpf; the ConfigMap at
    /etc/pcf, with pcfd.conf, and the rules file pcfd.conf names in it;
  - readiness (and startup) from GET /readyz, liveness from GET /livez,
    on the TCP port of an `http = ADDR:PORT` line of pcfd.conf.

Options:
  --unit FILE         the unit whose capabilities count (systemd/pcf.service)
  --image NAME        the image expected (localhost/pcf:latest, make image's)
  --out DIR           write the ConfigMap's files there (for pcfd --check,
                      or to run the image by hand), with --conf applied
  --pod FILE          write the ConfigMap and the DaemonSet's pod as a Pod
                      (for podman kube play; its seccompProfile also as the
                      annotation podman 4.3 reads), with:
  --conf KEY=VALUE    pcfd.conf's KEY lines replaced (repeat a KEY for more)
  --host-path VOL=DIR the hostPath of volume VOL moved to DIR
"""
import argparse
import os
import sys

import yaml

CONF_DIR = "/etc/pcf"
CONF = CONF_DIR + "/pcfd.conf"


def conf_lines(text):
    """(key, value) of pcfd.conf's `key = value` lines."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        out.append((k.strip(), v.strip().strip("\"'")))
    return out


def unit_caps(path):
    for line in open(path):
        if line.startswith("CapabilityBoundingSet="):
            return {c[len("CAP_"):] for c in line.split("=", 1)[1].split()}
    raise SystemExit("check: no CapabilityBoundingSet= in " + path)


def probe_path(c, name):
    p = c.get(name) or {}
    g = p.get("httpGet") or {}
    return g.get("path"), g.get("port")


def check(docs, unit, image):
    """The problems found, one sentence each."""
    bad = []
    cms = [d for d in docs if d.get("kind") == "ConfigMap"]
    dss = [d for d in docs if d.get("kind") == "DaemonSet"]
    other = [d.get("kind") for d in docs if d.get("kind") not in ("ConfigMap", "DaemonSet")]
    if len(cms) != 1 or len(dss) != 1 or other:
        return ["want one ConfigMap and one DaemonSet, found %d, %d and %s" % (len(cms), len(dss), other)]
    cm, ds = cms[0], dss[0]
    if ds.get("apiVersion") != "apps/v1":
        bad.append("the DaemonSet is not apps/v1")
    tmpl = ds["spec"]["template"]
    spec = tmpl["spec"]
    sel = ds["spec"].get("selector", {}).get("matchLabels", {})
    labels = tmpl.get("metadata", {}).get("labels", {})
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        bad.append("the selector %s does not select the pod's labels %s" % (sel, labels))
    if spec.get("hostNetwork") is not True:
        bad.append("no hostNetwork: pcfd must steer the node's own interfaces")
    cs = spec.get("containers", [])
    if len(cs) != 1:
        return bad + ["want one container, found %d" % len(cs)]
    c = cs[0]
    if c.get("image") != image:
        bad.append("image %s, not %s" % (c.get("image"), image))
    argv = (c.get("command") or []) + (c.get("args") or [])
    if argv[:1] != ["/usr/sbin/pcfd"] or "-f" not in argv or \
            "-c" not in argv or argv[argv.index("-c") + 1:][:1] != [CONF]:
        bad.append("the container runs %s, not /usr/sbin/pcfd -f -c %s" % (argv, CONF))
    sc = c.get("securityContext") or {}
    if sc.get("privileged") is not False:
        bad.append("privileged is not false")
    if sc.get("allowPrivilegeEscalation") is not False:
        bad.append("allowPrivilegeEscalation is not false")
    caps = sc.get("capabilities") or {}
    if caps.get("drop") != ["ALL"]:
        bad.append("capabilities.drop is %s, not [ALL]" % caps.get("drop"))
    add = {a[len("CAP_"):] if a.startswith("CAP_") else a for a in caps.get("add") or []}
    if add != unit:
        bad.append("capabilities.add is %s, the unit grants %s" % (sorted(add), sorted(unit)))
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    bpf = mounts.get("/sys/fs/bpf")
    if not bpf or vols.get(bpf["name"], {}).get("hostPath", {}).get("path") != "/sys/fs/bpf":
        bad.append("the host's /sys/fs/bpf is not mounted at /sys/fs/bpf")
    cfg = mounts.get(CONF_DIR)
    if not cfg or vols.get(cfg["name"], {}).get("configMap", {}).get("name") != cm["metadata"]["name"]:
        bad.append("the ConfigMap %s is not mounted at %s" % (cm["metadata"]["name"], CONF_DIR))
    elif not cfg.get("readOnly"):
        bad.append("the configuration is mounted writable")
    data = cm.get("data", {})
    if "pcfd.conf" not in data:
        return bad + ["the ConfigMap has no pcfd.conf"]
    conf = conf_lines(data["pcfd.conf"])
    for k, v in conf:
        if k == "rules-file" and (os.path.dirname(v) != CONF_DIR or os.path.basename(v) not in data):
            bad.append("rules-file %s is not a file of the ConfigMap" % v)
    ports = {int(v.rsplit(":", 1)[1]) for k, v in conf if k == "http" and not v.startswith("unix:")}
    if not any(k == "interface" for k, _ in conf):
        bad.append("pcfd.conf names no interface")
    for name, path in (("readinessProbe", "/readyz"), ("startupProbe", "/readyz"),
                       ("livenessProbe", "/livez")):
        got, port = probe_path(c, name)
        if name == "startupProbe" and name not in c:
            continue
        if got != path:
            bad.append("%s is %s, not GET %s" % (name, got, path))
        elif port not in ports:
            bad.append("%s asks port %s, pcfd.conf has HTTP on %s" % (name, port, sorted(ports) or "none"))
    return bad


def set_conf(text, overrides):
    """pcfd.conf with the KEY lines of overrides replaced by theirs."""
    keys = {k for k, _ in overrides}
    kept = [l for l in text.splitlines()
            if not (l.strip() and not l.strip().startswith("#") and "=" in l
                    and l.split("=", 1)[0].strip() in keys)]
    return "\n".join(kept + ["%s = %s" % kv for kv in overrides]) + "\n"


def seccomp_annotation(profile):
    """A seccompProfile as the annotation Kubernetes read before 1.27."""
    t = profile.get("type")
    if t == "Localhost":
        return "localhost/" + profile["localhostProfile"]
    return {"Unconfined": "unconfined", "RuntimeDefault": "runtime/default"}.get(t)


def pod_of(docs, overrides, host_paths):
    cm = next(d for d in docs if d["kind"] == "ConfigMap")
    ds = next(d for d in docs if d["kind"] == "DaemonSet")
    cm["data"]["pcfd.conf"] = set_conf(cm["data"]["pcfd.conf"], overrides)
    spec = ds["spec"]["template"]["spec"]
    for v in spec.get("volumes", []):
        if v["name"] in host_paths:
            v["hostPath"]["path"] = host_paths[v["name"]]
    meta = dict(ds["spec"]["template"].get("metadata", {}))
    meta["name"] = ds["metadata"]["name"]
    # podman kube play (4.3) takes the seccomp profile from these only
    notes = dict(meta.get("annotations") or {})
    for c in spec["containers"]:
        prof = (c.get("securityContext") or {}).get("seccompProfile")
        if prof and seccomp_annotation(prof):
            notes["container.seccomp.security.alpha.kubernetes.io/" + c["name"]] = seccomp_annotation(prof)
    meta["annotations"] = notes
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
    return [cm, pod]


def literal(dumper, s):
    """Multi-line strings (pcfd.conf) as YAML blocks, as they were written."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)


def main():
    yaml.SafeDumper.add_representer(str, literal)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("manifest")
    ap.add_argument("--unit", default=os.path.join(top, "systemd/pcf.service"))
    ap.add_argument("--image", default="localhost/pcf:latest")
    ap.add_argument("--out")
    ap.add_argument("--pod")
    ap.add_argument("--conf", action="append", default=[])
    ap.add_argument("--host-path", action="append", default=[])
    a = ap.parse_args()
    docs = [d for d in yaml.safe_load_all(open(a.manifest)) if d]
    bad = check(docs, unit_caps(a.unit), a.image)
    for b in bad:
        print("check: %s: %s" % (a.manifest, b), file=sys.stderr)
    if bad:
        return 1
    overrides = [tuple(s.split("=", 1)) for s in a.conf]
    cm = next(d for d in docs if d["kind"] == "ConfigMap")
    summary = "%s: hostNetwork, %s, capabilities %s, bpffs from the host, ConfigMap %s at %s, probes /readyz and /livez" % (
        a.manifest, a.image, " ".join(sorted(unit_caps(a.unit))), cm["metadata"]["name"], CONF_DIR)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        for name, text in cm["data"].items():
            if name == "pcfd.conf":
                text = set_conf(text, overrides)
            with open(os.path.join(a.out, name), "w") as f:
                f.write(text)
    if a.pod:
        host_paths = dict(s.split("=", 1) for s in a.host_path)
        with open(a.pod, "w") as f:
            yaml.safe_dump_all(pod_of(docs, overrides, host_paths), f, sort_keys=False)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
