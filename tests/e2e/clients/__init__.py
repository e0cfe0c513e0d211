"""Small purpose-built SP-API clients that prove readiness checks both ways over real HTTP."""
