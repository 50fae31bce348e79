// Package program is the example's Pulumi program: main.go runs it with pulumi.Run, and the
// repository's engine test runs the same function inline through the Automation API
// (tools/goexample), as the CLI built here has no Go language host.
package program

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/rockset-pulumi/rockset-pulumi/sdk/go/rockset"
)

// Run declares the network and the component over it. Every key it reads is declared, with its
// type and default, in Pulumi.yaml.
func Run(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	var zones []string
	cfg.RequireObject("zones", &zones)
	blocks, err := subnetBlocks(cfg.Require("vpcCidr"), len(zones))
	if err != nil {
		return err
	}
	region := config.Require(ctx, "aws:region")

	vpc, err := ec2.NewVpc(ctx, "network", &ec2.VpcArgs{
		CidrBlock: pulumi.String(cfg.Require("vpcCidr")),
		// The endpoint's private DNS name (privatelink.<cluster>.rockset.com) needs both.
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               pulumi.StringMap{"Name": pulumi.String(ctx.Stack() + "-network")},
	})
	if err != nil {
		return err
	}
	var subnetIds pulumi.StringArray
	for i, letter := range zones {
		subnet, err := ec2.NewSubnet(ctx, "network-"+letter, &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(blocks[i]),
			AvailabilityZone: pulumi.String(region + letter),
			Tags: pulumi.StringMap{
				"Name": pulumi.String(ctx.Stack() + "-network-" + letter),
			},
		})
		if err != nil {
			return err
		}
		subnetIds = append(subnetIds, subnet.ID())
	}

	checkTimeout := float64(cfg.RequireInt("checkTimeout"))
	link, err := rockset.NewPrivateLink(ctx, "rockset", &rockset.PrivateLinkArgs{
		VpcId:     vpc.ID(),
		SubnetIds: subnetIds,
		// Read as a secret; the SDK marks it secret again, so it is only encrypted in state.
		ApiKey:       cfg.RequireSecret("apiKey"),
		Lockdown:     pulumi.BoolRef(cfg.RequireBool("lockdown")),
		AdminCidrs:   map[string]string{"office": cfg.Require("officeCidr")},
		CheckTimeout: &checkTimeout,
		// Empty means the region's own endpoints and the system's trust store.
		PublicUrl:      optional(cfg, "publicUrl"),
		PrivatelinkUrl: optional(cfg, "privatelinkUrl"),
		CaBundle:       optional(cfg, "caBundle"),
	})
	if err != nil {
		return err
	}

	ctx.Export("vpcId", vpc.ID())
	ctx.Export("subnetIds", subnetIds)
	ctx.Export("vpcEndpointId", link.VpcEndpointId)
	ctx.Export("endpointState", link.EndpointState)
	ctx.Export("availabilityZones", link.AvailabilityZones)
	ctx.Export("skippedSubnetIds", link.SkippedSubnetIds)
	ctx.Export("connectivity", link.Connectivity)
	ctx.Export("allowlistEntries", link.AllowlistEntries)
	ctx.Export("lockdownStatus", link.LockdownStatus)
	return nil
}

// optional reads a string key whose Pulumi.yaml default "" means "not set".
func optional(cfg *config.Config, key string) *string {
	if value := cfg.Get(key); value != "" {
		return &value
	}
	return nil
}

// subnetBlocks splits the VPC's block into count subnets: a /20 each, or a sixteenth of a VPC
// smaller than a /16.
func subnetBlocks(vpcCidr string, count int) ([]string, error) {
	prefix, err := netip.ParsePrefix(vpcCidr)
	if err != nil || !prefix.Addr().Is4() || prefix.Masked() != prefix {
		return nil, fmt.Errorf(
			"config vpcCidr %q is not an IPv4 CIDR block such as 10.0.0.0/16: "+
				"set it with `pulumi config set vpcCidr 10.0.0.0/16`", vpcCidr)
	}
	bits := max(prefix.Bits()+4, 20)
	if bits > 28 || count > 1<<(bits-prefix.Bits()) {
		return nil, fmt.Errorf(
			"config vpcCidr %q is too small for %d subnets of a /%d: "+
				"give a block of /24 or larger, such as 10.0.0.0/16", vpcCidr, count, bits)
	}
	start := prefix.Addr().As4()
	base := binary.BigEndian.Uint32(start[:])
	blocks := make([]string, count)
	for i := range blocks {
		var addr [4]byte
		binary.BigEndian.PutUint32(addr[:], base+uint32(i)<<(32-bits))
		blocks[i] = netip.PrefixFrom(netip.AddrFrom4(addr), bits).String()
	}
	return blocks, nil
}
