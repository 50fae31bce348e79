//go:build tools

// Package tools pins the Pulumi CLI into this wrapper module so that
// `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` resolves the
// versions recorded in go.mod/go.sum (see build.sh).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
