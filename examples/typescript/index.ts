// A new VPC with a subnet in each of three zones, and Rockset PrivateLink over them: the
// endpoint, the connectivity check (guide step 3), the IP allowlist that turns off Rockset's
// public endpoint for everyone but the admins (step 4) and the check that it holds (step 5).
//
// `rockset.PrivateLink` is served by the rockset plugin; this program only describes the stack.
// Every config key read here is declared, with its type and default, in Pulumi.yaml.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as rockset from "@rockset-pulumi/rockset";

const config = new pulumi.Config();

/** Pulumi.yaml defaults optional strings to "", which means "not set". */
function optional(key: string): string | undefined {
    return config.get(key) || undefined;
}

/** The `count` first subnets of `cidr`, each a /20 (or a sixteenth of a VPC smaller than a /16). */
function subnetBlocks(cidr: string, count: number): string[] {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const octets = match ? match.slice(1, 5).map(Number) : [];
    const prefix = match ? Number(match[5]) : -1;
    const newPrefix = Math.max(prefix + 4, 20);
    if (!match || octets.some((o) => o > 255) || prefix < 8 || newPrefix > 28) {
        throw new Error(
            `vpcCidr is ${JSON.stringify(cidr)}: give an IPv4 CIDR block from /8 to /24, such as` +
                " 10.0.0.0/16 (`pulumi config set vpcCidr 10.0.0.0/16`).",
        );
    }
    const base = octets.reduce((address, octet) => address * 256 + octet, 0);
    const size = 2 ** (32 - newPrefix);
    if (count > 2 ** (newPrefix - prefix)) {
        throw new Error(`vpcCidr ${cidr} has room for ${2 ** (newPrefix - prefix)} subnets, not ${count}.`);
    }
    return Array.from({ length: count }, (_, i) => {
        const start = base - (base % 2 ** (32 - prefix)) + i * size;
        const parts = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
        return `${parts.join(".")}/${newPrefix}`;
    });
}

const zones = config.requireObject<string[]>("zones");
const region = aws.getRegionOutput().region;
const blocks = subnetBlocks(config.require("vpcCidr"), zones.length);

const vpc = new aws.ec2.Vpc("network", {
    cidrBlock: config.require("vpcCidr"),
    // The endpoint's private DNS name (privatelink.<cluster>.rockset.com) needs both.
    enableDnsSupport: true,
    enableDnsHostnames: true,
    tags: { Name: `${pulumi.getStack()}-network` },
});
const subnets = zones.map(
    (letter, i) =>
        new aws.ec2.Subnet(`network-${letter}`, {
            vpcId: vpc.id,
            cidrBlock: blocks[i],
            availabilityZone: pulumi.interpolate`${region}${letter}`,
            tags: { Name: `${pulumi.getStack()}-network-${letter}` },
        }),
);

const link = new rockset.PrivateLink("rockset", {
    vpcId: vpc.id,
    subnetIds: subnets.map((subnet) => subnet.id),
    apiKey: config.requireSecret("apiKey"),
    checks: true,
    lockdown: config.requireBoolean("lockdown"),
    adminCidrs: { office: config.require("officeCidr") },
    checkTimeout: config.requireNumber("checkTimeout"),
    tags: { environment: pulumi.getStack() },
    publicUrl: optional("publicUrl"),
    privatelinkUrl: optional("privatelinkUrl"),
    caBundle: optional("caBundle"),
});

export const vpcId = vpc.id;
export const subnetIds = subnets.map((subnet) => subnet.id);
export const vpcEndpointId = link.vpcEndpointId;
export const endpointState = link.endpointState;
export const availabilityZones = link.availabilityZones;
export const skippedSubnetIds = link.skippedSubnetIds;
export const connectivity = link.connectivity;
export const allowlistEntries = link.allowlistEntries;
export const lockdownStatus = link.lockdownStatus;
