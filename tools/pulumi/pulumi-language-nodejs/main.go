// Command pulumi-language-nodejs is this project's stand-in for Pulumi's Node.js language host.
//
// Why it exists: the Go module proxy serves the Pulumi CLI (pkg/v3) at v3.248.0 but refuses the module of the
// real host (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, "403 This module version is not
// available"), and without a language host `pulumi up` cannot run a Node.js program. This program does the one
// job the engine needs from it: start `node` on @pulumi/pulumi's own program runner (cmd/run) with the flags and
// environment that runner reads. Everything Pulumi-specific that happens inside the program (the resource
// monitor connection, TypeScript through ts-node, config, stack outputs) is done by the real @pulumi/pulumi
// code. What it leaves out, and why, is listed in docs/pulumi-cli.md.
//
// The engine starts it as `pulumi-language-nodejs [flags] <engine address>` and reads the gRPC port it
// listens on from the first line of its stdout.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// version is set at link time (-X main.version=...) to the SDK version this host was built beside.
var version = "0.0.0-dev"

func main() {
	engineAddress, err := engineAddressFromArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(2)
	}
	server := newHost(engineAddress, version)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, server)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not listen on 127.0.0.1: %v\n", err)
		os.Exit(1)
	}
	// The engine reads this line to find us; nothing may be written to stdout before it.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

// engineAddressFromArgs takes the engine's address, the last positional argument. The engine may put logging and
// tracing flags (-v=9, --logtostderr, --logflow, --tracing=URL) before it; this host has no use for them.
func engineAddressFromArgs(args []string) (string, error) {
	address := ""
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") {
			address = arg
			continue
		}
		// "--tracing URL" takes its value as the next word; every other flag is boolean or "--flag=value".
		if (arg == "--tracing" || arg == "-tracing") && i+1 < len(args) {
			i++
		}
	}
	if address == "" {
		return "", fmt.Errorf("missing the engine address (usage: pulumi-language-nodejs [flags] <engine address>)")
	}
	return address, nil
}
