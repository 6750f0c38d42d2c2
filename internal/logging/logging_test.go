package logging

import (
	"os"
	"testing"
)

// Not parallel: it sets process environment variables.
func TestQuiet(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want map[string]string
	}{
		{map[string]string{}, map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER": "OFF"}},
		{map[string]string{"TF_LOG": "debug"}, map[string]string{"TF_LOG_SDK": "debug", "TF_LOG_PROVIDER": "debug"}},
		{map[string]string{"TF_LOG": "JSON"}, map[string]string{"TF_LOG_SDK_PROTO": "TRACE"}},
		{map[string]string{"TF_LOG": "info", "TF_LOG_PROVIDER": "trace"}, map[string]string{"TF_LOG_SDK": "trace"}},
		{map[string]string{"TF_LOG": "warn", "TF_LOG_SDK_FRAMEWORK": "trace"}, map[string]string{"TF_LOG_SDK_FRAMEWORK": "trace", "TF_LOG_SDK": "warn"}},
	}
	for _, c := range cases {
		for _, v := range append(pluginLevels, "TF_LOG") {
			t.Setenv(v, c.env[v])
			if c.env[v] == "" {
				_ = os.Unsetenv(v)
			}
		}
		Quiet()
		for k, want := range c.want {
			if got := os.Getenv(k); got != want {
				t.Errorf("env %v: %s=%q, want %q", c.env, k, got, want)
			}
		}
	}
}
