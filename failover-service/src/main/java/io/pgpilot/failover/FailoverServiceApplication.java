package io.pgpilot.failover;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class FailoverServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(FailoverServiceApplication.class, args);
    }
}
