import type { ScenarioTiming } from "../scenario/types";
import { isoSeconds } from "../format";
import { InstanceRecord, releaseStartsAt, runnerOnlineAt } from "./instance";
import { bakeDoneAt, bakeManifestIn, BakeManifest } from "./images";

/** The line the bake script prints when it has finished (provider/bake/bake.sh); RunnerImage waits for it. */
export const BAKE_DONE_MARKER = "spot-runner-bake: done";

/**
 * A plausible serial-console log for GetInstanceConsoleOutput, written from what happened to the instance: kernel
 * boot, cloud-init, and above all what became of the GitHub runner, since that is what a user reads when a runner
 * never comes online. Never echoes the user data (it carries a JIT config).
 */
export function bootLog(instance: InstanceRecord, timing: ScenarioTiming, now: number): { text: string; lastUpdate: number } {
  const lines: { at: number; text: string }[] = [];
  const boot = instance.startingAt;
  const add = (at: number, text: string) => {
    if (at <= now) lines.push({ at, text });
  };
  const kernelClock = (at: number) => `[${((at - boot) / 1000).toFixed(6).padStart(12)}]`;
  const arch = instance.instanceType.cpuArchitecture === "ARM" ? "aarch64" : "x86_64";
  add(boot, `${kernelClock(boot)} Linux version 6.1.0-28-cloud-${arch === "aarch64" ? "arm64" : "amd64"} (${instance.image.osName})`);
  add(boot, `${kernelClock(boot)} Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro console=ttyS0,115200n8`);
  add(boot + 1, `${kernelClock(boot + 1)} CPU: ${instance.instanceType.cpuCoreCount} vCPUs, ${Math.round(instance.instanceType.memorySize * 1024)} MiB memory`);
  const ci = Math.min(instance.runningAt, boot + 2);
  add(ci, `${kernelClock(ci)} cloud-init[412]: Cloud-init v. 23.1 running 'init' at ${isoSeconds(ci)}. Up ${((ci - boot) / 1000).toFixed(2)} seconds.`);
  add(ci, `${kernelClock(ci)} cloud-init[412]: ci-info: eth0 ${instance.privateIp} ${instance.macAddress}`);
  const run = instance.runningAt;
  const outcome = instance.runnerOutcome;
  const bake = bakeManifestIn(instance.userData);
  const carried = (instance.image as { carries?: BakeManifest }).carries;
  if (bake && run <= now) {
    const done = bakeDoneAt(run, timing);
    add(run, `${kernelClock(run)} cloud-init[733]: running user data script (part-001)`);
    add(run, `${kernelClock(run)} spot-runner-bake[733]: baking a ${bake.arch} runner image: actions/runner ${bake.runnerVersion}, docker with buildx, ${bake.buildkitImage}`);
    add(done, `${kernelClock(done)} ${BAKE_DONE_MARKER} manifest=${JSON.stringify(bake)}`);
  } else if (outcome && run <= now) {
    // What the bootstrap finds on the image: a baked one reports what it carries (its manifest), a stock one does not.
    add(run, `${kernelClock(run)} spot-runner: ${carried
      ? `baked image: actions/runner ${carried.runnerVersion} in ${carried.runnerDir}, ${carried.buildkitImage}; nothing to download`
      : "stock image: installing docker and downloading actions/runner"}`);
    switch (outcome.kind) {
      case "noUserData":
        add(run, `${kernelClock(run)} cloud-init[733]: no user data supplied; nothing to run`);
        add(run, `${kernelClock(run)} spot-runner: no JIT config in user data; no GitHub runner was started`);
        break;
      case "noJitConfig":
        add(run, `${kernelClock(run)} cloud-init[733]: running user data script (part-001)`);
        add(run, `${kernelClock(run)} spot-runner: no JIT config in user data; no GitHub runner was started`);
        break;
      case "rejected":
        add(run, `${kernelClock(run)} cloud-init[733]: running user data script (part-001)`);
        add(run, `${kernelClock(run)} Runner.Listener: starting the runner with a JIT config${outcome.runnerName ? ` for ${outcome.runnerName}` : ""}`);
        add(run, `${kernelClock(run)} Runner.Listener: Error: JIT config rejected (already used or runner deleted); the runner did not register`);
        break;
      case "registered": {
        add(run, `${kernelClock(run)} cloud-init[733]: running user data script (part-001)`);
        add(run, `${kernelClock(run)} Runner.Listener: starting the runner with a JIT config for ${outcome.runnerName}`);
        const online = runnerOnlineAt(instance, timing)!;
        add(online, `${kernelClock(online)} Runner.Listener: √ Connected to GitHub`);
        add(online, `${kernelClock(online)} Runner.Listener: runner registered as ${outcome.runnerName}; Listening for Jobs`);
        break;
      }
    }
  }
  const stop = instance.stopRequestedAt;
  if (stop !== undefined) {
    add(stop, `${kernelClock(stop)} systemd[1]: Reached target System Power Off.`);
    add(stop, `${kernelClock(stop)} reboot: Power down`);
  }
  const release = releaseStartsAt(instance, timing);
  if (release !== undefined && (stop === undefined || release < stop)) {
    if (instance.reclaimNoticeAt !== undefined) add(instance.reclaimNoticeAt, `${kernelClock(instance.reclaimNoticeAt)} spot: termination notice received (instance/spot/termination-time)`);
    add(release, `${kernelClock(release)} systemd[1]: Reached target System Power Off.`);
    add(release, `${kernelClock(release)} reboot: Power down`);
  }
  lines.sort((a, b) => a.at - b.at);
  const text = lines.map((l) => l.text).join("\r\n") + (lines.length > 0 ? "\r\n" : "");
  return { text, lastUpdate: lines.length > 0 ? lines[lines.length - 1].at : instance.createdAt };
}
