package main

import "testing"

func TestPluginVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1":                "1.0.0",
		"1.0":              "1.0.0",
		"7.51.1":           "7.51.1",
		"1.2.3a4":          "1.2.3-alpha.4",
		"1.2.3b4":          "1.2.3-beta.4",
		"1.2.3rc4":         "1.2.3-rc.4",
		"1.2.3.post4":      "1.2.3+post4",
		"1.2.3.dev5":       "1.2.3+dev5",
		"1.2.3.post4.dev5": "1.2.3+post4dev5",
		"1.2.3rc1.post4":   "1.2.3-rc.1+post4",
	} {
		if got, err := pluginVersion(in); err != nil || got != want {
			t.Errorf("pluginVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1!2.0", "abc", "1.2.3+local"} {
		if got, err := pluginVersion(in); err == nil {
			t.Errorf("pluginVersion(%q) = %q, want an error", in, got)
		}
	}
}
