// Rockset PrivateLink over an existing VPC, locked down (guide steps 3-5), and watched between
// deployments: a function in the VPC repeats step 5 on a schedule and a CloudWatch alarm tells
// `alarmActions` when the lockdown stops holding (docs/watch.md).
//
// `rockset.PrivateLink` is served by the rockset plugin; this program only describes the stack.
// Every config key read here is declared, with its type and default, in Pulumi.yaml.
import * as pulumi from "@pulumi/pulumi";
import * as rockset from "@rockset-pulumi/rockset";

const config = new pulumi.Config();

/** Pulumi.yaml defaults optional strings to "", which means "not set". */
function optional(key: string): string | undefined {
    return config.get(key) || undefined;
}

const link = new rockset.PrivateLink("rockset", {
    vpcId: config.require("vpcId"),
    subnetIds: config.requireObject<string[]>("subnetIds"),
    apiKey: config.requireSecret("apiKey"),
    adminCidrs: { office: config.require("officeCidr") },
    lockdown: true,
    // The watcher runs in the VPC, as the probe function does.
    probe: rockset.ProbeMode.Vpc,
    watch: {
        apiKey: config.requireSecret("watchApiKey"),
        schedule: config.require("watchSchedule"),
        alarmActions: config.requireObject<string[]>("alarmActions"),
    },
    checkTimeout: 60,
    publicUrl: optional("publicUrl"),
    privatelinkUrl: optional("privatelinkUrl"),
    caBundle: optional("caBundle"),
});

export const lockdownStatus = link.lockdownStatus;
export const watch = link.watch;
export const costEstimate = link.costEstimate;
