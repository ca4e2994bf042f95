package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// runScriptPath is @pulumi/pulumi's program runner, relative to a node_modules directory.
const runScriptPath = "@pulumi/pulumi/cmd/run/index.js"

// programRun is everything one Run request says about the program to start.
type programRun struct {
	Organization     string
	Project          string
	Stack            string
	Pwd              string
	RootDirectory    string
	ProgramDirectory string
	// EntryPoint relative to ProgramDirectory; "." means "whatever package.json names".
	EntryPoint   string
	Args         []string
	Config       map[string]string
	SecretKeys   []string
	DryRun       bool
	Parallel     int32
	MonitorAddr  string
	EngineAddr   string
	TypeScript   bool
	TsConfigPath string
	NodeArgs     []string
}

// findRunScript looks for @pulumi/pulumi/cmd/run the way Node resolves a package from the program directory:
// node_modules of that directory, then of each parent. The program must be run by the @pulumi/pulumi it
// depends on, or it would register resources with another copy of the SDK than the one it imported.
func findRunScript(programDirectory string) (string, error) {
	dir := programDirectory
	for {
		candidate := filepath.Join(dir, "node_modules", runScriptPath)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("@pulumi/pulumi is not installed for the program in %s (no node_modules/%s in it "+
				"or any parent directory): run `npm ci` in the project", programDirectory, runScriptPath)
		}
		dir = parent
	}
}

// nodeArguments builds the command line of `node`: node's own flags, the runner, the runner's flags (see
// `usage()` in @pulumi/pulumi/cmd/run/index.js), then the program and its arguments.
func nodeArguments(run programRun, runScript string) []string {
	args := append([]string{}, run.NodeArgs...)
	args = append(args, runScript)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name+"="+value)
		}
	}
	flag("monitor", run.MonitorAddr)
	flag("engine", run.EngineAddr)
	flag("organization", run.Organization)
	flag("project", run.Project)
	flag("root-directory", run.RootDirectory)
	flag("stack", run.Stack)
	flag("pwd", run.Pwd)
	if run.DryRun {
		args = append(args, "--dry-run")
	}
	if run.Parallel > 1 {
		flag("parallel", strconv.Itoa(int(run.Parallel)))
	}
	args = append(args, programArgument(run))
	return append(args, run.Args...)
}

// programArgument is what the runner requires: "." lets it find the entry point in package.json, anything else is
// a path it resolves against --pwd, so make it absolute.
func programArgument(run programRun) string {
	if run.EntryPoint == "" || run.EntryPoint == "." {
		if run.ProgramDirectory == run.Pwd || run.ProgramDirectory == "" {
			return "."
		}
		return run.ProgramDirectory
	}
	if filepath.IsAbs(run.EntryPoint) {
		return run.EntryPoint
	}
	return filepath.Join(run.ProgramDirectory, run.EntryPoint)
}

// nodeEnvironment is the runner's environment: ours, plus the stack configuration the way
// @pulumi/pulumi/runtime/config.js reads it (PULUMI_CONFIG, a JSON object of "project:key" -> string;
// PULUMI_CONFIG_SECRET_KEYS, a JSON array) and the TypeScript switches cmd/run/run.js reads.
func nodeEnvironment(run programRun, base []string) ([]string, error) {
	config := run.Config
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("encoding the stack configuration: %w", err)
	}
	secretKeys := append([]string{}, run.SecretKeys...)
	sort.Strings(secretKeys)
	secretsJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("encoding the secret configuration keys: %w", err)
	}
	set := map[string]string{
		"PULUMI_CONFIG":             string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS": string(secretsJSON),
		"PULUMI_NODEJS_TYPESCRIPT":  strconv.FormatBool(run.TypeScript),
	}
	if run.TsConfigPath != "" {
		set["PULUMI_NODEJS_TSCONFIG_PATH"] = run.TsConfigPath
	}
	env := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if _, overridden := set[name]; !overridden {
			env = append(env, kv)
		}
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		env = append(env, name+"="+set[name])
	}
	return env, nil
}

// runtimeOptions reads the `runtime.options` of Pulumi.yaml that this host supports: typescript (default true),
// tsconfig and nodeargs. Any other option is refused by name rather than silently ignored.
func runtimeOptions(options map[string]any, run *programRun) error {
	run.TypeScript = true
	var problems []string
	for name, value := range options {
		switch name {
		case "typescript":
			b, ok := value.(bool)
			if !ok {
				problems = append(problems, fmt.Sprintf("typescript must be true or false, got %v", value))
				continue
			}
			run.TypeScript = b
		case "tsconfig":
			s, ok := value.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("tsconfig must be a path, got %v", value))
				continue
			}
			run.TsConfigPath = s
		case "nodeargs":
			s, ok := value.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("nodeargs must be a string, got %v", value))
				continue
			}
			run.NodeArgs = strings.Fields(s)
		case "packagemanager":
			// Only consulted by `pulumi install`, which this host does not implement (dependencies come from npm ci).
		default:
			problems = append(problems, fmt.Sprintf("runtime option %q is not supported by this stand-in host "+
				"(supported: typescript, tsconfig, nodeargs, packagemanager)", name))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
