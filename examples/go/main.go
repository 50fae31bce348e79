// A Go program: a new VPC with a subnet in each of three zones, and Rockset PrivateLink over them
// with the connectivity checks and the lockdown (guide steps 2-5).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/rockset-pulumi/rockset-pulumi/examples/go/program"
)

func main() {
	pulumi.Run(program.Run)
}
