// Private access to Rockset over AWS PrivateLink, created, verified and locked down in one `pulumi up`.
package rockset
