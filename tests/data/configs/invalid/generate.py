#!/usr/bin/env python3
# Regenerates the invalid-config corpus and expected.tsv from runc-spec.json:
#   python3 tests/data/configs/invalid/generate.py
# Each case is (file name, edit of the base config, the exact expected error).
import json, copy, os, sys
here = os.path.dirname(os.path.abspath(__file__))
base = json.load(open(os.path.join(here, '..', 'valid', 'runc-spec.json')))
base['ociVersion'] = '1.3.0'
out = here
os.makedirs(out, exist_ok=True)
cases = []  # (name, text, expected)
def mod(name, fn, expected):
    d = copy.deepcopy(base)
    fn(d)
    cases.append((name, json.dumps(d, indent=2) + "\n", expected))
def raw(name, text, expected):
    cases.append((name, text, expected))
def setp(path, val):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = val
    return f
def delp(path):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f
P = 'config.json: '
# malformed JSON
raw('malformed-trailing-comma', '{\n  "ociVersion": "1.3.0",\n}\n', P + 'line 3, column 1: string or \'}\' expected near \'}\'')
raw('malformed-unterminated', '{\n  "ociVersion": "1.3.0",\n  "root": {"path": "rootfs"\n', P + "line 4, column 0: '}' expected near end of file")
raw('malformed-empty', '', P + 'line 1, column 0: unexpected token near end of file')
raw('malformed-garbage', 'hello\n', P + "line 1, column 5: invalid token near 'hello'")
raw('not-an-object', '[1, 2, 3]\n', P + 'expected a JSON object at the top level')
raw('not-an-object-string', '"config"\n', P + 'expected a JSON object at the top level')
raw('uid-too-big-for-jansson', '{"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 99999999999999999999999, "gid": 0}}}\n', P + 'line 1, column 131: too big integer')
# ociVersion
mod('oci-version-missing', delp(['ociVersion']), P + 'ociVersion: missing required field')
mod('oci-version-major-2', setp(['ociVersion'], '2.0.0'), P + 'ociVersion: unsupported major version 2 (hutch supports 1.x)')
mod('oci-version-major-0', setp(['ociVersion'], '0.9.0'), P + 'ociVersion: unsupported major version 0 (hutch supports 1.x)')
mod('oci-version-not-semver', setp(['ociVersion'], '1.3'), P + 'ociVersion: invalid version "1.3" (expected SemVer such as 1.3.0)')
mod('oci-version-number', setp(['ociVersion'], 1.3), P + 'ociVersion: expected a string')
mod('oci-version-garbage-suffix', setp(['ociVersion'], '1.3.0 beta'), P + 'ociVersion: invalid version "1.3.0 beta" (expected SemVer such as 1.3.0)')
# root
mod('root-missing', delp(['root']), P + 'root: missing required field')
mod('root-not-object', setp(['root'], 'rootfs'), P + 'root: expected an object')
mod('root-path-missing', delp(['root', 'path']), P + 'root.path: missing required field')
mod('root-path-empty', setp(['root', 'path'], ''), P + 'root.path: must not be empty')
mod('root-readonly-string', setp(['root', 'readonly'], 'yes'), P + 'root.readonly: expected a boolean')
# process
mod('process-not-object', setp(['process'], []), P + 'process: expected an object')
mod('process-cwd-relative', setp(['process', 'cwd'], 'tmp'), P + 'process.cwd: must be an absolute path, got "tmp"')
mod('process-cwd-missing', delp(['process', 'cwd']), P + 'process.cwd: missing required field')
mod('process-args-missing', delp(['process', 'args']), P + 'process.args: missing required field')
mod('process-args-empty', setp(['process', 'args'], []), P + 'process.args: must not be empty (the command to run)')
mod('process-args-not-strings', setp(['process', 'args'], ['sh', 1]), P + 'process.args[1]: expected a string')
mod('process-args-string', setp(['process', 'args'], 'sh -c true'), P + 'process.args: expected an array')
mod('process-terminal-int', setp(['process', 'terminal'], 1), P + 'process.terminal: expected a boolean')
mod('process-env-no-equals', setp(['process', 'env'], ['PATH=/bin', 'TERM']), P + 'process.env[1]: expected KEY=VALUE, got "TERM"')
mod('process-uid-overflow', setp(['process', 'user', 'uid'], 4294967296), P + 'process.user.uid: expected an integer between 0 and 4294967295, got 4294967296')
mod('process-uid-negative', setp(['process', 'user', 'uid'], -1), P + 'process.user.uid: expected an integer between 0 and 4294967295, got -1')
mod('process-uid-string', setp(['process', 'user', 'uid'], "0"), P + 'process.user.uid: expected an integer')
mod('process-uid-float', setp(['process', 'user', 'uid'], 1.5), P + 'process.user.uid: expected an integer')
mod('process-gid-missing', delp(['process', 'user', 'gid']), P + 'process.user.gid: missing required field')
mod('process-additional-gids-bad', setp(['process', 'user', 'additionalGids'], [1, "2"]), P + 'process.user.additionalGids[1]: expected an integer')
mod('process-umask-too-big', setp(['process', 'user', 'umask'], 1024), P + 'process.user.umask: must be between 0 and 0777 (511), got 1024')
mod('process-console-size-height-missing', setp(['process', 'consoleSize'], {'width': 80}), P + 'process.consoleSize.height: missing required field')
mod('process-oom-score-adj-range', setp(['process', 'oomScoreAdj'], 1001), P + 'process.oomScoreAdj: expected an integer between -1000 and 1000, got 1001')
# capabilities
mod('cap-unknown', setp(['process', 'capabilities', 'bounding'], ['CAP_KILL', 'CAP_CHOWN', 'CAP_SETUID', 'CAP_FOO']), P + 'process.capabilities.bounding[3]: unknown capability "CAP_FOO"')
mod('cap-set-not-array', setp(['process', 'capabilities', 'ambient'], 'CAP_KILL'), P + 'process.capabilities.ambient: expected an array')
mod('cap-number', setp(['process', 'capabilities', 'effective'], [21]), P + 'process.capabilities.effective[0]: expected a string')
mod('cap-out-of-range-name', setp(['process', 'capabilities', 'permitted'], ['CAP_41']), P + 'process.capabilities.permitted[0]: unknown capability "CAP_41"')
# rlimits
mod('rlimit-unknown', setp(['process', 'rlimits'], [{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]), P + 'process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"')
mod('rlimit-duplicate', setp(['process', 'rlimits'], [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1}, {'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]), P + 'process.rlimits[1].type: duplicate rlimit "RLIMIT_NOFILE" (also in rlimits[0])')
mod('rlimit-soft-above-hard', setp(['process', 'rlimits'], [{'type': 'RLIMIT_NOFILE', 'soft': 2048, 'hard': 1024}]), P + 'process.rlimits[0]: soft limit 2048 is greater than hard limit 1024')
mod('rlimit-hard-missing', setp(['process', 'rlimits'], [{'type': 'RLIMIT_NOFILE', 'soft': 1024}]), P + 'process.rlimits[0].hard: missing required field')
mod('rlimit-negative', setp(['process', 'rlimits'], [{'type': 'RLIMIT_CORE', 'soft': -1, 'hard': 0}]), P + 'process.rlimits[0].soft: expected a non-negative integer, got -1')
mod('rlimit-lowercase', setp(['process', 'rlimits'], [{'type': 'rlimit_nofile', 'soft': 1, 'hard': 1}]), P + 'process.rlimits[0].type: unknown rlimit "rlimit_nofile"')
mod('rlimit-not-object', setp(['process', 'rlimits'], ['RLIMIT_NOFILE']), P + 'process.rlimits[0]: expected an object')
mod('rlimit-too-big', setp(['process', 'rlimits'], [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 18446744073709551616}]), P + "line 43, column 36: too big integer near '18446744073709551616'")
# scheduler / ioPriority
mod('scheduler-bad-policy', setp(['process', 'scheduler'], {'policy': 'SCHED_FAST'}), P + 'process.scheduler.policy: unknown scheduler policy "SCHED_FAST"')
mod('scheduler-nice-range', setp(['process', 'scheduler'], {'policy': 'SCHED_OTHER', 'nice': 20}), P + 'process.scheduler.nice: expected an integer between -20 and 19, got 20')
mod('scheduler-bad-flag', setp(['process', 'scheduler'], {'policy': 'SCHED_DEADLINE', 'flags': ['SCHED_FLAG_RECLAIM', 'SCHED_FLAG_X']}), P + 'process.scheduler.flags[1]: unknown scheduler flag "SCHED_FLAG_X"')
mod('io-priority-bad-class', setp(['process', 'ioPriority'], {'class': 'IOPRIO_CLASS_FAST', 'priority': 1}), P + 'process.ioPriority.class: unknown ioPriority class "IOPRIO_CLASS_FAST"')
mod('io-priority-range', setp(['process', 'ioPriority'], {'class': 'IOPRIO_CLASS_BE', 'priority': 8}), P + 'process.ioPriority.priority: expected an integer between 0 and 7, got 8')
mod('exec-cpu-affinity-bad', setp(['process', 'execCPUAffinity'], {'initial': '0-3', 'final': 'all'}), P + 'process.execCPUAffinity.final: invalid CPU list "all" (expected e.g. "0-3,7")')
# mounts
mod('mounts-not-array', setp(['mounts'], {}), P + 'mounts: expected an array')
mod('mount-destination-missing', delp(['mounts', 2, 'destination']), P + 'mounts[2].destination: missing required field')
mod('mount-destination-empty', setp(['mounts', 1, 'destination'], ''), P + 'mounts[1].destination: must not be empty')
mod('mount-options-not-strings', setp(['mounts', 0, 'options'], ['ro', True]), P + 'mounts[0].options[1]: expected a string')
mod('mount-uid-mapping-size-zero', setp(['mounts', 0, 'uidMappings'], [{'containerID': 0, 'hostID': 1000, 'size': 0}]), P + 'mounts[0].uidMappings[0].size: must be greater than zero')
# hooks
mod('hook-path-relative', setp(['hooks'], {'prestart': [{'path': 'bin/hook'}]}), P + 'hooks.prestart[0].path: must be an absolute path, got "bin/hook"')
mod('hook-path-missing', setp(['hooks'], {'poststart': [{'args': ['x']}]}), P + 'hooks.poststart[0].path: missing required field')
mod('hook-timeout-zero', setp(['hooks'], {'createRuntime': [{'path': '/bin/true'}, {'path': '/bin/true', 'timeout': 0}]}), P + 'hooks.createRuntime[1].timeout: must be greater than zero, got 0')
mod('hook-timeout-negative', setp(['hooks'], {'poststop': [{'path': '/bin/true', 'timeout': -5}]}), P + 'hooks.poststop[0].timeout: must be greater than zero, got -5')
mod('hooks-kind-not-array', setp(['hooks'], {'startContainer': {'path': '/bin/true'}}), P + 'hooks.startContainer: expected an array')
# annotations / hostname
mod('annotations-value-not-string', setp(['annotations'], {'a': 'b', 'org.example.n': 3}), P + 'annotations[\"org.example.n\"]: expected a string')
mod('hostname-without-uts', lambda d: d['linux'].__setitem__('namespaces', [n for n in d['linux']['namespaces'] if n['type'] != 'uts']), P + 'hostname: setting the hostname needs a uts namespace in linux.namespaces')
mod('hostname-number', setp(['hostname'], 42), P + 'hostname: expected a string')
# linux namespaces
mod('linux-not-object', setp(['linux'], 'yes'), P + 'linux: expected an object')
mod('ns-unknown', setp(['linux', 'namespaces', 2, 'type'], 'pidd'), P + 'linux.namespaces[2].type: unknown namespace "pidd"')
mod('ns-duplicate', lambda d: d['linux']['namespaces'].append({'type': 'pid'}), P + 'linux.namespaces[5].type: duplicate namespace "pid" (also in namespaces[0])')
mod('ns-path-relative', setp(['linux', 'namespaces', 1, 'path'], 'proc/1/ns/net'), P + 'linux.namespaces[1].path: must be an absolute path, got "proc/1/ns/net"')
mod('ns-type-missing', setp(['linux', 'namespaces', 0], {'path': '/proc/1/ns/pid'}), P + 'linux.namespaces[0].type: missing required field')
mod('ns-not-object', setp(['linux', 'namespaces', 3], 'uts'), P + 'linux.namespaces[3]: expected an object')
# id mappings
def userns(d, maps):
    d['linux']['namespaces'].append({'type': 'user'})
    d['linux']['uidMappings'] = maps
    d['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 1000, 'size': 1}]
mod('uid-mapping-size-zero', lambda d: userns(d, [{'containerID': 0, 'hostID': 1000, 'size': 0}]), P + 'linux.uidMappings[0].size: must be greater than zero')
mod('uid-mapping-hostid-missing', lambda d: userns(d, [{'containerID': 0, 'size': 1}]), P + 'linux.uidMappings[0].hostID: missing required field')
mod('uid-mapping-overflow', lambda d: userns(d, [{'containerID': 0, 'hostID': 4294967295, 'size': 2}]), P + 'linux.uidMappings[0].size: mapping of 2 IDs overflows the 32-bit ID range')
mod('uid-mapping-without-userns', setp(['linux', 'uidMappings'], [{'containerID': 0, 'hostID': 1000, 'size': 1}]), P + 'linux.uidMappings: mappings need a user namespace (add {"type": "user"} to linux.namespaces)')
# devices
mod('device-bad-type', setp(['linux', 'devices'], [{'path': '/dev/fuse', 'type': 'x', 'major': 10, 'minor': 229}]), P + 'linux.devices[0].type: unknown device type "x" (expected c, b, u or p)')
mod('device-major-missing', setp(['linux', 'devices'], [{'path': '/dev/fuse', 'type': 'c', 'minor': 229}]), P + 'linux.devices[0].major: missing required field')
mod('device-path-relative', setp(['linux', 'devices'], [{'path': 'dev/fuse', 'type': 'c', 'major': 10, 'minor': 229}]), P + 'linux.devices[0].path: must be an absolute path, got "dev/fuse"')
mod('device-file-mode-too-big', setp(['linux', 'devices'], [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 25012}]), P + 'linux.devices[0].fileMode: must be a permission mode (at most 07777, or with file-type bits matching type "c"), got 25012')
mod('device-cgroup-bad-access', setp(['linux', 'resources', 'devices'], [{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'rwx'}]), P + 'linux.resources.devices[1].access: invalid access "rwx" (expected letters r, w, m)')
mod('device-cgroup-allow-missing', setp(['linux', 'resources', 'devices'], [{'access': 'rwm'}]), P + 'linux.resources.devices[0].allow: missing required field')
mod('device-cgroup-bad-type', setp(['linux', 'resources', 'devices'], [{'allow': True, 'type': 'u'}]), P + 'linux.resources.devices[0].type: unknown device type "u" (expected a, c or b)')
# resources
mod('memory-limit-string', setp(['linux', 'resources', 'memory'], {'limit': '1G'}), P + 'linux.resources.memory.limit: expected an integer')
mod('memory-limit-below-minus-one', setp(['linux', 'resources', 'memory'], {'limit': -2}), P + 'linux.resources.memory.limit: expected an integer between -1 and 9223372036854775807, got -2')
mod('memory-swappiness-range', setp(['linux', 'resources', 'memory'], {'swappiness': 101}), P + 'linux.resources.memory.swappiness: expected an integer between 0 and 100, got 101')
mod('memory-not-object', setp(['linux', 'resources', 'memory'], 1024), P + 'linux.resources.memory: expected an object')
mod('cpu-shares-negative', setp(['linux', 'resources', 'cpu'], {'shares': -1}), P + 'linux.resources.cpu.shares: expected an integer between 0 and 262144, got -1')
mod('cpu-cpus-number', setp(['linux', 'resources', 'cpu'], {'cpus': 0}), P + 'linux.resources.cpu.cpus: expected a string')
mod('pids-limit-string', setp(['linux', 'resources', 'pids'], {'limit': 'max'}), P + 'linux.resources.pids.limit: expected an integer')
mod('blkio-weight-range', setp(['linux', 'resources', 'blockIO'], {'weight': 5}), P + 'linux.resources.blockIO.weight: expected an integer between 10 and 1000, got 5')
mod('blkio-throttle-rate-missing', setp(['linux', 'resources', 'blockIO'], {'throttleReadBpsDevice': [{'major': 8, 'minor': 0}]}), P + 'linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing required field')
mod('hugepage-limit-missing', setp(['linux', 'resources', 'hugepageLimits'], [{'pageSize': '2MB'}]), P + 'linux.resources.hugepageLimits[0].limit: missing required field')
mod('unified-value-number', setp(['linux', 'resources', 'unified'], {'memory.high': 1000}), P + 'linux.resources.unified[\"memory.high\"]: expected a string')
mod('network-priority-name-missing', setp(['linux', 'resources', 'network'], {'priorities': [{'priority': 1}]}), P + 'linux.resources.network.priorities[0].name: missing required field')
# seccomp
SC = {'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['SCMP_ARCH_X86_64'], 'syscalls': [{'names': ['getcwd'], 'action': 'SCMP_ACT_ALLOW'}]}
def sc(changes):
    def f(d):
        s = copy.deepcopy(SC)
        changes(s)
        d['linux']['seccomp'] = s
    return f
mod('seccomp-default-action-bad', sc(lambda s: s.__setitem__('defaultAction', 'SCMP_ACT_DENY')), P + 'linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_DENY"')
mod('seccomp-default-action-missing', sc(lambda s: s.pop('defaultAction')), P + 'linux.seccomp.defaultAction: missing required field')
mod('seccomp-arch-bad', sc(lambda s: s.__setitem__('architectures', ['SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80'])), P + 'linux.seccomp.architectures[1]: unknown seccomp architecture "SCMP_ARCH_Z80"')
mod('seccomp-flag-bad', sc(lambda s: s.__setitem__('flags', ['SECCOMP_FILTER_FLAG_FAST'])), P + 'linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_FAST"')
mod('seccomp-syscall-action-bad', sc(lambda s: s['syscalls'][0].__setitem__('action', 'ALLOW')), P + 'linux.seccomp.syscalls[0].action: unknown seccomp action "ALLOW"')
mod('seccomp-syscall-names-empty', sc(lambda s: s['syscalls'][0].__setitem__('names', [])), P + 'linux.seccomp.syscalls[0].names: must not be empty')
mod('seccomp-arg-op-bad', sc(lambda s: s['syscalls'][0].__setitem__('args', [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQUAL'}])), P + 'linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_EQUAL"')
mod('seccomp-arg-index-range', sc(lambda s: s['syscalls'][0].__setitem__('args', [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}])), P + 'linux.seccomp.syscalls[0].args[0].index: expected an integer between 0 and 5, got 6')
mod('seccomp-errno-ret-negative', sc(lambda s: s['syscalls'][0].__setitem__('errnoRet', -1)), P + 'linux.seccomp.syscalls[0].errnoRet: expected an integer between 0 and 4294967295, got -1')
mod('seccomp-notify-without-listener', sc(lambda s: s['syscalls'][0].__setitem__('action', 'SCMP_ACT_NOTIFY')), P + 'linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath')
# misc linux
mod('rootfs-propagation-bad', setp(['linux', 'rootfsPropagation'], 'rshare'), P + 'linux.rootfsPropagation: unknown rootfs propagation "rshare"')
mod('masked-path-relative', setp(['linux', 'maskedPaths'], ['/proc/kcore', 'proc/keys']), P + 'linux.maskedPaths[1]: must be an absolute path, got "proc/keys"')
mod('readonly-paths-not-array', setp(['linux', 'readonlyPaths'], '/proc/sys'), P + 'linux.readonlyPaths: expected an array')
mod('personality-bad-domain', setp(['linux', 'personality'], {'domain': 'LINUX64'}), P + 'linux.personality.domain: unknown personality domain "LINUX64"')
mod('time-offsets-bad-clock', lambda d: (d['linux']['namespaces'].append({'type': 'time'}), d['linux'].__setitem__('timeOffsets', {'realtime': {'secs': 1}})), P + 'linux.timeOffsets.realtime: unknown clock "realtime" (expected monotonic or boottime)')
mod('time-offsets-without-timens', setp(['linux', 'timeOffsets'], {'monotonic': {'secs': 10}}), P + 'linux.timeOffsets: needs a time namespace in linux.namespaces')
mod('memory-policy-bad-mode', setp(['linux', 'memoryPolicy'], {'mode': 'MPOL_FAST'}), P + 'linux.memoryPolicy.mode: unknown memory policy mode "MPOL_FAST"')
mod('memory-policy-bad-flag', setp(['linux', 'memoryPolicy'], {'mode': 'MPOL_BIND', 'nodes': '0', 'flags': ['MPOL_F_X']}), P + 'linux.memoryPolicy.flags[0]: unknown memory policy flag "MPOL_F_X"')
mod('sysctl-value-bool', setp(['linux', 'sysctl'], {'net.ipv4.ip_forward': True}), P + 'linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string')
mod('net-devices-name-empty', setp(['linux', 'netDevices'], {'eth1': {'name': ''}}), P + 'linux.netDevices.eth1.name: must not be empty')
mod('cgroups-path-number', setp(['linux', 'cgroupsPath'], 5), P + 'linux.cgroupsPath: expected a string')
mod('intel-rdt-schemata-string', setp(['linux', 'intelRdt'], {'schemata': 'L3:0=f'}), P + 'linux.intelRdt.schemata: expected an array')

# more type errors and ranges at various depths
mod('cpu-shares-too-big', setp(['linux', 'resources', 'cpu'], {'shares': 262145}), P + 'linux.resources.cpu.shares: expected an integer between 0 and 262144, got 262145')
mod('cpu-cpus-bad-list', setp(['linux', 'resources', 'cpu'], {'cpus': '0-3;5'}), P + 'linux.resources.cpu.cpus: invalid list "0-3;5" (expected e.g. "0-3,7")')
mod('memory-swap-below-limit', setp(['linux', 'resources', 'memory'], {'limit': 1048576, 'swap': 524288}), P + 'linux.resources.memory.swap: memory+swap limit 524288 is below the memory limit 1048576 (swap counts memory plus swap)')
mod('hugepage-bad-size', setp(['linux', 'resources', 'hugepageLimits'], [{'pageSize': '2M', 'limit': 0}]), P + 'linux.resources.hugepageLimits[0].pageSize: invalid page size "2M" (expected e.g. "2MB", "1GB")')
mod('io-priority-priority-missing', setp(['process', 'ioPriority'], {'class': 'IOPRIO_CLASS_IDLE'}), P + 'process.ioPriority.priority: missing required field')
mod('annotations-empty-key', setp(['annotations'], {'': 'x'}), P + 'annotations: keys must not be empty')
mod('annotations-not-object', setp(['annotations'], ['a=b']), P + 'annotations: expected an object')
mod('mount-destination-number', setp(['mounts', 3, 'destination'], 5), P + 'mounts[3].destination: expected a string')
mod('mount-uid-mappings-not-array', setp(['mounts', 0, 'uidMappings'], {'containerID': 0}), P + 'mounts[0].uidMappings: expected an array')
mod('process-user-not-object', setp(['process', 'user'], 0), P + 'process.user: expected an object')
mod('process-env-not-array', setp(['process', 'env'], 'PATH=/bin'), P + 'process.env: expected an array')
mod('hooks-not-object', setp(['hooks'], [{'path': '/bin/true'}]), P + 'hooks: expected an object')
mod('namespaces-not-array', setp(['linux', 'namespaces'], {'type': 'pid'}), P + 'linux.namespaces: expected an array')
mod('rlimit-type-number', setp(['process', 'rlimits'], [{'type': 7, 'soft': 1, 'hard': 1}]), P + 'process.rlimits[0].type: expected a string')
mod('seccomp-not-object', setp(['linux', 'seccomp'], 'unconfined'), P + 'linux.seccomp: expected an object')
mod('seccomp-arg-value-missing', sc(lambda s: s['syscalls'][0].__setitem__('args', [{'index': 0, 'op': 'SCMP_CMP_EQ'}])), P + 'linux.seccomp.syscalls[0].args[0].value: missing required field')
mod('seccomp-notify-default', sc(lambda s: (s.__setitem__('defaultAction', 'SCMP_ACT_NOTIFY'), s.__setitem__('listenerPath', '/run/agent.sock'))), P + "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (it would trap every syscall, including the runtime's own)")
mod('seccomp-listener-relative', sc(lambda s: s.__setitem__('listenerPath', 'agent.sock')), P + 'linux.seccomp.listenerPath: must be an absolute path, got "agent.sock"')
mod('device-cgroup-major-string', setp(['linux', 'resources', 'devices'], [{'allow': True, 'type': 'c', 'major': '10'}]), P + 'linux.resources.devices[0].major: expected an integer')
mod('sysctl-not-object', setp(['linux', 'sysctl'], ['net.ipv4.ip_forward=1']), P + 'linux.sysctl: expected an object')
mod('time-offset-nanosecs-too-big', lambda d: (d['linux']['namespaces'].append({'type': 'time'}), d['linux'].__setitem__('timeOffsets', {'boottime': {'secs': 1, 'nanosecs': 1000000000}})), P + 'linux.timeOffsets.boottime.nanosecs: must be less than 1000000000, got 1000000000')
mod('oci-version-leading-zero', setp(['ociVersion'], '01.0.0'), P + 'ociVersion: invalid version "01.0.0" (expected SemVer such as 1.3.0)')
mod('oci-version-empty', setp(['ociVersion'], ''), P + 'ociVersion: invalid version "" (expected SemVer such as 1.3.0)')
mod('root-path-null', setp(['root', 'path'], None), P + 'root.path: missing required field')
mod('domainname-without-uts', lambda d: (d.pop('hostname'), d.__setitem__('domainname', 'example.org'), d['linux'].__setitem__('namespaces', [n for n in d['linux']['namespaces'] if n['type'] != 'uts'])), P + 'domainname: setting the domainname needs a uts namespace in linux.namespaces')
mod('net-devices-not-object', setp(['linux', 'netDevices'], ['eth0']), P + 'linux.netDevices: expected an object')
mod('rdma-handles-negative', setp(['linux', 'resources', 'rdma'], {'mlx5_1': {'hcaHandles': -3}}), P + 'linux.resources.rdma.mlx5_1.hcaHandles: expected an integer between 0 and 4294967295, got -3')
mod('intel-rdt-monitoring-string', setp(['linux', 'intelRdt'], {'enableMonitoring': 'true'}), P + 'linux.intelRdt.enableMonitoring: expected a boolean')
mod('personality-domain-missing', setp(['linux', 'personality'], {'flags': []}), P + 'linux.personality.domain: missing required field')
raw('malformed-single-quotes', "{'ociVersion': '1.3.0'}\n", P + "line 1, column 2: string or '}' expected near '''")
raw('malformed-nul-escape', '{"ociVersion": "1.3.0", "root": {"path": "a\\u0000b"}}\n', P + "line 1, column 51: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000b\"'")

names = set()
for name, text, exp in cases:
    assert name not in names, name
    names.add(name)
    open(os.path.join(out, name + '.json'), 'w').write(text)
with open(os.path.join(out, 'expected.tsv'), 'w') as f:
    f.write('# FILE<TAB>exact error of spec_parse(text, "config.json") (tests/unit/test_spec_invalid.c)\n')
    for n, t, e in cases:
        assert e is not None and '\t' not in e, n
        f.write(n + '.json\t' + e + '\n')

print(len(cases))
