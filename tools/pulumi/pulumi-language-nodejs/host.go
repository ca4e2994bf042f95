package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// loggedErrorExitCode is the exit code @pulumi/pulumi/cmd/run uses after it has already shown the user an
// actionable error (nodeJSProcessExitedAfterLoggingUserActionableMessage): the engine must then say nothing more.
const loggedErrorExitCode = 32

// host implements the LanguageRuntime RPCs that `pulumi up`, `preview`, `refresh` and `destroy` call. Everything
// else (project templates, code generation, `pulumi install`, packing SDKs, running plugins written in Node.js)
// answers Unimplemented through the embedded type.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	version       string
}

func newHost(engineAddress, version string) *host {
	return &host{engineAddress: engineAddress, version: version}
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: h.version}, nil
}

// GetRequiredPlugins and GetRequiredPackages report nothing. The real host lists the Pulumi packages found in
// node_modules so the engine can install their plugins ahead of time; offline that would only make the engine
// look for plugins it may not have (alicloud's, which cannot be built here). Plugins still load on demand when a
// program registers a resource of theirs, which is all the runner stack needs (the dynamic provider's plugin).
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies does nothing: the project installs its dependencies with `npm ci` before Pulumi runs.
func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH")
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version failed: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"host": "aliyun-spot-runner stand-in for pulumi-language-nodejs"},
	}, nil
}

// Run starts the program under @pulumi/pulumi's runner and waits for it. Failures of the program itself are
// answered in the response (Error, or Bail when the runner already reported them), as the engine expects.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	run, err := programRunFromRequest(req, h.engineAddress)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runScript, err := findRunScript(run.ProgramDirectory)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "node is not on PATH: install Node.js 20.19 or later"}, nil
	}
	env, err := nodeEnvironment(run, os.Environ())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	// Not CommandContext: the engine cancels by signalling our process group, which node shares, so node gets
	// the same signal and can finish its outstanding RPCs rather than being killed outright.
	cmd := exec.Command(node, nodeArguments(run, runScript)...)
	cmd.Dir = run.Pwd
	cmd.Env = env
	// The engine shows what we print (after the port line) as the program's output.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == loggedErrorExitCode:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("the Node.js program in %s %s", run.ProgramDirectory, exitDescription(exit))}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start %s: %v", node, err)}, nil
	}
}

func exitDescription(exit *exec.ExitError) string {
	if code := exit.ExitCode(); code >= 0 {
		return fmt.Sprintf("exited with code %d", code)
	}
	return fmt.Sprintf("was stopped (%s)", exit.ProcessState.String())
}

// programRunFromRequest reads a RunRequest, preferring ProgramInfo over the deprecated Program field.
func programRunFromRequest(req *pulumirpc.RunRequest, engineAddress string) (programRun, error) {
	run := programRun{
		Organization: req.GetOrganization(),
		Project:      req.GetProject(),
		Stack:        req.GetStack(),
		Pwd:          req.GetPwd(),
		Args:         req.GetArgs(),
		Config:       req.GetConfig(),
		SecretKeys:   req.GetConfigSecretKeys(),
		DryRun:       req.GetDryRun(),
		Parallel:     req.GetParallel(),
		MonitorAddr:  req.GetMonitorAddress(),
		EngineAddr:   engineAddress,
	}
	var options map[string]any
	if info := req.GetInfo(); info != nil {
		run.RootDirectory = info.GetRootDirectory()
		run.ProgramDirectory = info.GetProgramDirectory()
		run.EntryPoint = info.GetEntryPoint()
		options = info.GetOptions().AsMap()
	} else {
		run.ProgramDirectory = req.GetPwd()
		run.EntryPoint = req.GetProgram() //nolint:staticcheck // older engines send only this
	}
	if run.Pwd == "" {
		run.Pwd = run.ProgramDirectory
	}
	if run.MonitorAddr == "" {
		return run, errors.New("the engine sent no resource monitor address")
	}
	if err := runtimeOptions(options, &run); err != nil {
		return run, fmt.Errorf("Pulumi.yaml runtime options: %w", err)
	}
	return run, nil
}
