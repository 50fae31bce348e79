// Command goexample runs examples/go's program inline through the Go Automation API
// (github.com/pulumi/pulumi/sdk/v3/go/auto) on a stack that already exists, for
// tests/test_engine_go.py. Inline because the CLI built here has no Go language host
// (pulumi-language-go is not served as a Go module), so `pulumi up` in the example's directory
// cannot start its program; the Automation API serves the program itself and passes --client.
// The project directory's Pulumi.yaml (its typed config and defaults) and the stack's config
// are the CLI's own, as for `pulumi up`.
//
//	goexample preview|up|refresh|destroy -dir <project> -stack <name> -pulumi-root <dir>
//
// The engine's progress goes to stderr; a JSON result to stdout. A failed operation exits 1 with
// the CLI's error on stderr.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/rockset-pulumi/rockset-pulumi/examples/go/program"
)

// result is what a test reads: the change counts by operation, the summary's result and the
// stack outputs (each with its secret flag).
type result struct {
	ChangeSummary map[string]int        `json:"changeSummary,omitempty"`
	Result        string                `json:"result,omitempty"`
	Outputs       map[string]outputJSON `json:"outputs,omitempty"`
}

type outputJSON struct {
	Value  any  `json:"value"`
	Secret bool `json:"secret"`
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: goexample preview|up|refresh|destroy -dir DIR -stack NAME -pulumi-root DIR"))
	}
	operation := os.Args[1]
	flags := flag.NewFlagSet(operation, flag.ExitOnError)
	dir := flags.String("dir", ".", "the project directory (a copy of examples/go)")
	stackName := flags.String("stack", "dev", "an existing stack of that project")
	root := flags.String("pulumi-root", "", "the CLI's root (<root>/bin/pulumi); default: pulumi on PATH")
	_ = flags.Parse(os.Args[2:])

	ctx := context.Background()
	stack, err := openStack(ctx, *dir, *stackName, *root)
	if err != nil {
		fail(err)
	}
	out, err := run(ctx, stack, operation)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func openStack(ctx context.Context, dir, name, root string) (auto.Stack, error) {
	// The CLI here is built from source at a stamped version; no download is ever wanted.
	command, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root, SkipVersionCheck: true})
	if err != nil {
		return auto.Stack{}, err
	}
	workspace, err := auto.NewLocalWorkspace(ctx,
		auto.WorkDir(dir), auto.Program(program.Run), auto.Pulumi(command))
	if err != nil {
		return auto.Stack{}, err
	}
	return auto.SelectStack(ctx, name, workspace)
}

func run(ctx context.Context, stack auto.Stack, operation string) (result, error) {
	progress := os.Stderr
	switch operation {
	case "preview":
		res, err := stack.Preview(ctx, optpreview.Diff(), optpreview.Color("never"),
			optpreview.ProgressStreams(progress))
		changes := map[string]int{}
		for op, count := range res.ChangeSummary {
			changes[string(op)] = count
		}
		return result{ChangeSummary: changes}, err
	case "up":
		res, err := stack.Up(ctx, optup.Diff(), optup.Color("never"), optup.ProgressStreams(progress))
		return summarize(res.Summary, res.Outputs), err
	case "refresh":
		res, err := stack.Refresh(ctx, optrefresh.Color("never"), optrefresh.ProgressStreams(progress))
		return summarize(res.Summary, nil), err
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.Color("never"), optdestroy.ProgressStreams(progress))
		return summarize(res.Summary, nil), err
	}
	return result{}, fmt.Errorf("unknown operation %q: use preview, up, refresh or destroy", operation)
}

func summarize(summary auto.UpdateSummary, outputs auto.OutputMap) result {
	out := result{Result: summary.Result, ChangeSummary: map[string]int{}}
	if summary.ResourceChanges != nil {
		out.ChangeSummary = *summary.ResourceChanges
	}
	if outputs != nil {
		out.Outputs = map[string]outputJSON{}
		for name, value := range outputs {
			out.Outputs[name] = outputJSON{Value: value.Value, Secret: value.Secret}
		}
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
