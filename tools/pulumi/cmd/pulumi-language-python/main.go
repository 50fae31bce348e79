// Command pulumi-language-python is a compact stand-in for Pulumi's Python language host.
//
// Why it exists: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), which the Go module proxy reachable from
// this project's machines does not serve, so it cannot be built offline. This file re-implements the part of the
// LanguageRuntime protocol that `pulumi preview/up/destroy` needs for a Python program, following upstream's
// behaviour (sdk/python/cmd/pulumi-language-python/main.go in pulumi/pulumi, Apache-2.0) and reusing the SDK's own
// Python toolchain package (github.com/pulumi/pulumi/sdk/v3/python/toolchain) for virtualenv handling:
//
//   - Handshake, GetPluginInfo, Cancel
//   - GetRequiredPackages (Python packages that carry pulumi-plugin.json or are named pulumi-*)
//   - Run (spawns `python pulumi-language-python-exec ...` exactly as upstream does; no debugger, no typechecker)
//   - InstallDependencies, About, GetProgramDependencies, RuntimeOptionsPrompts (no prompts)
//
// Not implemented (Unimplemented): RunPlugin (Python *plugins* run by the engine), codegen (GenerateProgram,
// GenerateProject, GeneratePackage), Pack, Link, Template.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	// The exec shim shipped in the sdk/v3 module (python/cmd/pulumi-language-python-exec); it must sit beside us.
	pythonDefaultExec = "pulumi-language-python-exec"
	// Exit code with which the Python runtime says it already printed an actionable error.
	pythonProcessExitedAfterShowingUserActionableMessage = 32
)

func main() {
	var tracing, givenExecutor string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	showVersion := flag.Bool("version", false, "Print the current plugin version and exit")
	flag.StringVar(&givenExecutor, "use-executor", "", "Use the given program as the executor")
	flag.Parse()

	if *showVersion {
		fmt.Println(version.Version)
		os.Exit(0)
	}
	logging.InitLogging(false, 0, false)

	pythonExec := givenExecutor
	if pythonExec == "" {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("could not determine current executable: %w", err))
		}
		pythonExec = filepath.Join(filepath.Dir(self), pythonDefaultExec)
		if _, err := os.Stat(pythonExec); err != nil {
			cmdutil.Exit(fmt.Errorf("missing executor %s: %w", pythonExec, err))
		}
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		cancel()
		close(cancelChannel)
	}()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			hctx, hcancel := context.WithCancel(context.Background())
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{
				exec: pythonExec, engineAddress: engineAddress, tracing: tracing,
				cancelCtx: hctx, cancelFunc: hcancel,
			})
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port) // tells the engine where to reach us
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	exec          string
	engineAddress string
	tracing       string
	cancelCtx     context.Context
	cancelFunc    context.CancelFunc
}

// parseOptions reads Pulumi.yaml's `runtime.options` (virtualenv, toolchain, typechecker) like upstream.
func parseOptions(root, programDir string, options map[string]any, isPlugin bool) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: root, ProgramDir: programDir}
	if v, ok := options["virtualenv"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("virtualenv option must be a string")
		}
		opts.Virtualenv = s
	}
	if v, ok := options["typechecker"]; ok {
		switch v {
		case "mypy":
			opts.Typechecker = toolchain.TypeCheckerMypy
		case "pyright":
			opts.Typechecker = toolchain.TypeCheckerPyright
		default:
			return opts, fmt.Errorf("unsupported typechecker option: %v", v)
		}
	}
	if v, ok := options["toolchain"]; ok {
		switch v {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, fmt.Errorf("unsupported toolchain option: %v", v)
		}
	}
	if isPlugin && (opts.Toolchain == toolchain.Pip || opts.Toolchain == toolchain.Auto) && opts.Virtualenv == "" {
		opts.Virtualenv = "venv"
	}
	return opts, nil
}

func optionsOf(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.PythonOptions, error) {
	if info == nil {
		return toolchain.PythonOptions{Toolchain: toolchain.Pip}, nil
	}
	var m map[string]any
	if info.Options != nil {
		m = info.Options.AsMap()
	}
	return parseOptions(info.RootDirectory, info.ProgramDirectory, m, isPlugin)
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() { <-ctx.Done(); cancel() }()
	if err := rpcutil.Healthcheck(ctx, h.engineAddress, 5*time.Minute, cancel); err != nil {
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

func (h *host) engineClient() (pulumirpc.EngineClient, io.Closer, error) {
	if h.engineAddress == "" {
		return nil, nil, errors.New("when running explicitly, must call Handshake before Run")
	}
	conn, err := grpc.NewClient(h.engineAddress,
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("language host could not make connection to engine: %w", err)
	}
	return pulumirpc.NewEngineClient(conn), conn, nil
}

// logWriter streams output to the engine as ephemeral log messages (as upstream does for venv creation).
type logWriter struct {
	ctx      context.Context
	client   pulumirpc.EngineClient
	streamID int32
	severity pulumirpc.LogSeverity
}

func (w *logWriter) Write(p []byte) (int, error) {
	_, err := w.client.Log(w.ctx, &pulumirpc.LogRequest{
		Message: strings.ToValidUTF8(string(p), "\uFFFD"), Ephemeral: true, StreamId: w.streamID, Severity: w.severity,
	})
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// These packages are known not to have any plugins (upstream's list).
var packagesWithoutPlugins = map[string]struct{}{"pulumi-policy": {}, "pulumi-esc-sdk": {}}

const pluginJSONPathsScript = `import importlib.metadata, importlib.util, os, sys, json
result = {}
for pkg_name in sys.argv[1:]:
	try:
		dist = importlib.metadata.distribution(pkg_name)
		module = dist.metadata['Name'].replace('-', '_')
		spec = importlib.util.find_spec(module)
		locs = list(spec.submodule_search_locations or []) if spec else []
		found = [p for l in locs for p in [os.path.join(str(l), 'pulumi-plugin.json')] if os.path.isfile(p)]
		result[pkg_name] = found[0] if found else ''
	except Exception:
		result[pkg_name] = ''
print(json.dumps(result))`

func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	opts, err := optionsOf(req.Info, false)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	client, closer, err := h.engineClient()
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	id := rand.Int31() //nolint:gosec
	stdout := &logWriter{ctx, client, id, pulumirpc.LogSeverity_INFO}
	stderr := &logWriter{ctx, client, id, pulumirpc.LogSeverity_ERROR}
	if err := tc.EnsureVenv(ctx, req.Info.ProgramDirectory, false, true, stdout, stderr); err != nil {
		return nil, err
	}

	pkgs, err := tc.ListPackages(ctx, true)
	if err != nil {
		return nil, err
	}
	paths := map[string]string{}
	if len(pkgs) > 0 {
		args := []string{"-c", pluginJSONPathsScript}
		for _, p := range pkgs {
			args = append(args, p.Name)
		}
		if cmd, err := tc.Command(ctx, args...); err == nil {
			if out, err := cmd.Output(); err == nil {
				if err := json.Unmarshal(out, &paths); err != nil {
					return nil, fmt.Errorf("failed to parse pulumi-plugin.json paths: %w", err)
				}
			}
		}
	}

	result := []*pulumirpc.PackageDependency{}
	for _, p := range pkgs {
		if _, skip := packagesWithoutPlugins[p.Name]; skip {
			continue
		}
		var pj *plugin.PulumiPluginJSON
		if path := paths[p.Name]; path != "" {
			if pj, err = plugin.LoadPulumiPluginJSON(path); err != nil {
				return nil, fmt.Errorf("failed to parse pulumi-plugin.json for %s: %w", p.Name, err)
			}
		}
		if pj == nil && !strings.HasPrefix(p.Name, "pulumi-") {
			continue
		}
		if dep := packageDependency(p, pj); dep != nil {
			result = append(result, dep)
		}
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: result}, nil
}

func packageDependency(pkg plugin.DependencyInfo, p *plugin.PulumiPluginJSON) *pulumirpc.PackageDependency {
	var name, ver, server string
	var param, ext *pulumirpc.PackageParameterization
	if p != nil {
		if !p.Resource {
			return nil
		}
		if x := p.Parameterization; x != nil {
			param = &pulumirpc.PackageParameterization{Name: x.Name, Version: x.Version, Value: x.Value}
		}
		if x := p.ExtensionParameterization; x != nil {
			ext = &pulumirpc.PackageParameterization{Name: x.Name, Version: x.Version, Value: x.Value}
		}
		name, ver, server = p.Name, p.Version, p.Server
	}
	if name == "" {
		name = strings.TrimPrefix(pkg.Name, "pulumi-")
	}
	if ver == "" {
		v, err := pluginVersion(pkg.Version)
		if err != nil {
			logging.V(5).Infof("cannot derive plugin version of %s %s: %v", pkg.Name, pkg.Version, err)
			return nil
		}
		ver = v
	}
	if !strings.HasPrefix(ver, "v") {
		ver = "v" + ver
	}
	return &pulumirpc.PackageDependency{
		Name: name, Version: ver, Kind: "resource", Server: server, Parameterization: param, Extension: ext,
	}
}

// pluginVersion maps a PEP 440 version N(.N)*[{a|b|rc}N][.postN][.devN] to a plugin semver, as upstream does:
// 1.0 => 1.0.0, 1.2.3a4 => 1.2.3-alpha.4, 1.2.3rc4 => 1.2.3-rc.4, 1.2.3.post4.dev5 => 1.2.3+post4dev5.
func pluginVersion(v string) (string, error) {
	if v == "" {
		return "", errors.New("cannot parse empty string")
	}
	num := func(s string) (string, string) {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[:i], s[i:]
	}
	if n, rest := num(v); n != "" && strings.HasPrefix(rest, "!") {
		return "", errors.New("epochs are not supported")
	}
	var segs []string
	rest := v
	for {
		n, r := num(rest)
		if n == "" {
			break
		}
		segs = append(segs, n)
		rest = r
		if !strings.HasPrefix(rest, ".") {
			break
		}
		if m, _ := num(rest[1:]); m == "" {
			break // ".post"/".dev" follows
		}
		rest = rest[1:]
	}
	if len(segs) == 0 {
		return "", fmt.Errorf("%q is not a version", v)
	}
	for len(segs) < 3 {
		segs = append(segs, "0")
	}
	var pre, post, dev string
	switch {
	case strings.HasPrefix(rest, "rc"):
		pre, rest = num(rest[2:])
		pre = "-rc." + pre
	case strings.HasPrefix(rest, "a"):
		pre, rest = num(rest[1:])
		pre = "-alpha." + pre
	case strings.HasPrefix(rest, "b"):
		pre, rest = num(rest[1:])
		pre = "-beta." + pre
	}
	if strings.HasPrefix(rest, ".post") {
		post, rest = num(rest[5:])
		post = "+post" + post
	}
	if strings.HasPrefix(rest, ".dev") {
		dev, rest = num(rest[4:])
		if post == "" {
			dev = "+dev" + dev
		} else {
			dev = "dev" + dev
		}
	}
	if rest != "" {
		return "", fmt.Errorf("'%s' still unparsed", rest)
	}
	return strings.Join(segs, ".") + pre + post + dev, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetAttachDebugger() {
		return &pulumirpc.RunResponse{Error: "this pulumi-language-python build does not support --attach-debugger"}, nil
	}
	if h.engineAddress == "" {
		return nil, errors.New("when running explicitly, must call Handshake before Run")
	}
	opts, err := optionsOf(req.Info, false)
	if err != nil {
		return nil, err
	}
	if opts.Typechecker != toolchain.TypeCheckerNone {
		return nil, errors.New("this pulumi-language-python build does not support the typechecker option")
	}

	args := []string{h.exec}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	add("organization", req.GetOrganization())
	args = append(args, req.GetInfo().GetEntryPoint())
	args = append(args, req.GetArgs()...)

	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	runCtx, runCancel := context.WithCancel(h.cancelCtx)
	defer runCancel()
	context.AfterFunc(ctx, runCancel)
	cmd, err := tc.Command(runCtx, args...)
	if err != nil {
		return nil, err
	}
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr

	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if cfg := req.GetConfig(); cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(b))
	}
	secretKeys := "[]"
	if keys := req.GetConfigSecretKeys(); keys != nil {
		b, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
		}
		secretKeys = string(b)
	}
	env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys)
	cmd.Env = env

	if err := cmd.Run(); err != nil {
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				switch ws.ExitStatus() {
				case 0:
					err = fmt.Errorf("program exited unexpectedly: %w", exitErr)
				case pythonProcessExitedAfterShowingUserActionableMessage:
					return &pulumirpc.RunResponse{Bail: true}, nil
				default:
					err = fmt.Errorf("program exited with non-zero exit code: %d", ws.ExitStatus())
				}
			} else {
				err = fmt.Errorf("program exited unexpectedly: %w", exitErr)
			}
		} else {
			err = fmt.Errorf("problem executing program (could not run language executor): %w", err)
		}
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts, err := optionsOf(req.Info, req.IsPlugin)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	_, _ = stdout.Write([]byte("Installing dependencies...\n\n"))
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	if err := tc.InstallDependencies(server.Context(), req.Info.ProgramDirectory, req.UseLanguageVersionTools,
		true, stdout, stderr); err != nil {
		return err
	}
	_, _ = stdout.Write([]byte("Finished installing dependencies\n\n"))
	return closer.Close()
}

func (h *host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts, err := optionsOf(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
		Metadata: map[string]string{
			"toolchain":        toolchain.Name(opts.Toolchain),
			"toolchainVersion": info.ToolchainVersion.String(),
			"typechecker":      toolchain.TypeCheckerName(opts.Typechecker),
		},
	}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := optionsOf(req.Info, false)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	pkgs, err := tc.ListPackages(ctx, req.TransitiveDependencies)
	if err != nil {
		return nil, fmt.Errorf("failed to get python dependencies: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, len(pkgs))
	for i, d := range pkgs {
		deps[i] = &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
