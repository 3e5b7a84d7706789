package dev.portgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the plain port answers under /.well-known/acme-challenge/, alone and in a cluster. */
class ChallengeAnswersTest {

    private static final String TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

    @Test
    void aloneOnlyTheTokensOfThisNodesOrdersAreAnswered() {
        ChallengeAnswers answers = new ChallengeAnswers();
        assertThat(answers.answer(ChallengeAnswers.PREFIX + TOKEN)).isEmpty();
        answers.put(TOKEN, TOKEN + ".mine");
        assertThat(answers.answer(ChallengeAnswers.PREFIX + TOKEN)).contains(TOKEN + ".mine");
        answers.remove(TOKEN);
        assertThat(answers.answer(ChallengeAnswers.PREFIX + TOKEN)).isEmpty();
    }

    @Test
    void inAClusterEveryWellFormedTokenIsAnsweredForTheSharedAccount() {
        ChallengeAnswers answers = new ChallengeAnswers();
        answers.answerEveryToken("thumb");
        assertThat(answers.answer(ChallengeAnswers.PREFIX + TOKEN)).contains(TOKEN + ".thumb");
        // Only what a CA's token can be: no path, no short strings, nothing outside base64url.
        assertThat(answers.answer(ChallengeAnswers.PREFIX + "short")).isEmpty();
        assertThat(answers.answer(ChallengeAnswers.PREFIX + "../../etc/passwd-aaaaaaaaaaaaaaaaaaaa"))
                .isEmpty();
        assertThat(answers.answer(ChallengeAnswers.PREFIX + TOKEN + "?x=1")).isEmpty();
        assertThat(answers.answer("/other/" + TOKEN)).isEmpty();
        answers.answerEveryToken(null);
        assertThat(answers.answer(ChallengeAnswers.PREFIX + TOKEN)).isEmpty();
    }
}
