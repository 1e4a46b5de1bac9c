{{/* Names and labels. */}}
{{- define "pgpilot.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* labels every object gets; with pgpilot.selector (which names the release) on component objects */}}
{{- define "pgpilot.labels" -}}
app.kubernetes.io/part-of: pgpilot
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* pgpilot.labels plus the release, for objects that belong to no single component */}}
{{- define "pgpilot.releaseLabels" -}}
{{ include "pgpilot.labels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "provisioner") */}}
{{- define "pgpilot.selector" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/*
The port each service listens on and the variable that sets it (the defaults of each module's
application.yml), and whether it reads the internal service token (docs/security.md).
*/}}
{{- define "pgpilot.components" -}}
api-gateway: {port: 8080, portEnv: PGPILOT_GATEWAY_PORT, internalToken: true}
provisioner: {port: 8081, portEnv: PGPILOT_PROVISIONER_PORT, internalToken: true}
health-monitor: {port: 8082, portEnv: PGPILOT_HEALTH_MONITOR_PORT, internalToken: false}
failover-service: {port: 8083, portEnv: PGPILOT_FAILOVER_PORT, internalToken: false}
backup-service: {port: 8084, portEnv: PGPILOT_BACKUP_PORT, internalToken: true}
services: {port: 8085, portEnv: PGPILOT_SERVICES_PORT, internalToken: false}
{{- end -}}

{{- define "pgpilot.kafkaBootstrap" -}}
{{- if .Values.kafka.embedded.enabled -}}
{{- printf "%s-kafka:9092" (include "pgpilot.fullname" .) -}}
{{- else -}}
{{- .Values.kafka.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{- define "pgpilot.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}
