package io.pgpilot.provisioner;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The provisioner service: owns the lifecycle of PostgreSQL instances (local backend). */
@SpringBootApplication
@EnableConfigurationProperties({ProvisionerProperties.class, io.pgpilot.provisioner.tls.TlsProperties.class})
public class ProvisionerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ProvisionerApplication.class, args);
    }
}
