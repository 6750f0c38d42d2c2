// Package logging sets the provider process's log levels from Terraform's
// before the plugin starts serving.
//
// terraform-plugin-go and the framework log at TRACE unless TF_LOG_SDK,
// TF_LOG_SDK_FRAMEWORK, TF_LOG_SDK_PROTO and TF_LOG_PROVIDER say otherwise,
// whether or not Terraform shows the lines: a plan of 1,000 resources wrote
// 131,000 lines (65 MB) that Terraform then discarded. Quiet makes the
// cost of logging follow what the user asked Terraform to log.
package logging

import (
	"os"
	"strings"
)

// The variables terraform-plugin-go and the framework read.
var pluginLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO", "TF_LOG_PROVIDER"}

// Quiet sets each plugin log level the user left unset to the level the
// user gave Terraform (TF_LOG_PROVIDER, else TF_LOG), or off when none:
// Terraform shows no provider log lines then, so none are written.
func Quiet() {
	level := os.Getenv("TF_LOG_PROVIDER")
	if level == "" {
		level = os.Getenv("TF_LOG")
	}
	switch strings.ToUpper(level) {
	case "":
		level = "OFF"
	case "JSON":
		level = "TRACE" // TF_LOG=JSON is TRACE in JSON
	}
	for _, v := range pluginLevels {
		if os.Getenv(v) == "" {
			_ = os.Setenv(v, level)
		}
	}
}
