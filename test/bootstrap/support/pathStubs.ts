import { chmodSync, existsSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The only real programs the script under test may run. Everything that touches the system (power, users,
 * services, packages, docker) is a stub in the same directory, and nothing else is on PATH: a command the
 * script should not run fails with "command not found" instead of reaching this machine.
 */
const REAL_TOOLS = [
  "bash", "cat", "chmod", "mkdir", "touch", "date", "sleep", "tail", "sync", "readlink", "setsid", "find",
  "curl", "sha256sum", "tar", "gzip", "rm", "mv", "grep", "nproc", "cut", "env", "pwd", "timeout", "head",
] as const;

export interface StubOptions {
  readonly os: "alinux" | "ubuntu";
  readonly dockerInstalled: boolean;
  readonly dockerReady: boolean;
  readonly useraddFails: boolean;
}

function findTool(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"])) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`the bootstrap sandbox needs ${name} on this machine`);
}

/**
 * Fills `binDir` with links to the real tools and with stubs. Each stub appends its arguments, one call per
 * line, to `callsDir/<name>`; `stateDir` holds what the stubs remember (users created, docker installed).
 */
export function writePathStubs(binDir: string, callsDir: string, stateDir: string, options: StubOptions): void {
  for (const tool of REAL_TOOLS) symlinkSync(findTool(tool), join(binDir, tool));

  const stub = (name: string, body: string[] = []): void => {
    const path = join(binDir, name);
    writeFileSync(path, [
      "#!/bin/bash",
      `printf '%s\\n' "$*" >>${JSON.stringify(join(callsDir, name))}`,
      ...body,
      "exit 0",
      "",
    ].join("\n"));
    chmodSync(path, 0o755);
  };
  const state = JSON.stringify(stateDir);
  const bin = JSON.stringify(binDir);

  stub("poweroff");
  stub("shutdown");
  stub("systemctl");
  stub("systemd-run");
  stub("usermod");
  stub("groupadd");
  stub("chown");
  stub("getent", ["exit 2"]);
  stub("id", [`[[ $1 == -u && -e ${state}/user-$2 ]] && { echo 1001; exit 0; }`, "exit 1"]);
  stub("useradd", options.useraddFails
    ? ['echo "useradd: cannot lock /etc/passwd" >&2', "exit 1"]
    : [`touch ${state}/user-"\${!#}"`]);
  // runuser -u USER -- COMMAND...: run the command as ourselves; the call record says who it was meant for.
  stub("runuser", ['[[ $1 == -u && $3 == -- ]] || exit 64', 'shift 3', 'exec "$@"']);

  const dockerBody = [
    'case $1 in',
    `  info) ${options.dockerReady ? "exit 0" : 'echo "Cannot connect to the Docker daemon" >&2; exit 1'} ;;`,
    '  buildx) echo "github.com/docker/buildx v0.30.1" ;;',
    'esac',
  ];
  if (options.dockerInstalled) stub("docker", dockerBody);
  // Installing docker with the package manager puts a docker stub on PATH, as the real package would.
  const installsDocker = (dockerPackage: string): string[] => [
    `if [[ " $* " == *" ${dockerPackage} "* ]]; then`,
    `  printf '%s\\n' '#!/bin/bash' ${shellWords(`printf '%s\\n' "$*" >>${JSON.stringify(join(callsDir, "docker"))}`)} ${dockerBody.map(shellWords).join(" ")} 'exit 0' >${bin}/docker`,
    `  chmod 755 ${bin}/docker`,
    "fi",
  ];
  if (options.os === "alinux") stub("dnf", installsDocker("docker-ce"));
  else stub("apt-get", installsDocker("docker.io"));
}

function shellWords(line: string): string {
  return `'${line.replace(/'/g, `'\\''`)}'`;
}
