// Private access to Rockset over AWS PrivateLink, created, verified and locked down in one `pulumi up`. Python programs use the `rockset-pulumi` package (`rockset_pulumi.PrivateLink`) itself rather than an SDK of this schema.
package rockset
